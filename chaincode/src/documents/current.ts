import { ErrorCode, KeyType, MarketError, type ClassDocument, type DocumentType } from '@ecf/common';
import type { MarketContext } from '../context';

/** Every document of a class, replaced ones included, in document id order. A public range read. */
export async function classDocuments(ctx: MarketContext, classId: string): Promise<ClassDocument[]> {
  return (await ctx.ledger.list<ClassDocument>(KeyType.CLASS_DOCUMENT, [classId])).map((e) => e.value);
}

/** Current = not replaced and in effect by the transaction's time. */
export function isCurrent(doc: ClassDocument, now: number): boolean {
  return doc.status === 'CURRENT' && doc.effectiveAt <= now;
}

/** The current documents of a type, any jurisdiction. */
export async function currentDocuments(
  ctx: MarketContext,
  classId: string,
  type: DocumentType,
): Promise<ClassDocument[]> {
  const now = ctx.ledger.now;
  return (await classDocuments(ctx, classId)).filter((d) => d.type === type && isCurrent(d, now));
}

/**
 * A campaign offers units under an offering document: approval is refused while the class has none in
 * effect (COMPLIANCE: NO_OFFERING_DOCUMENT). Read in the approving transaction, so a replacement committed
 * meanwhile invalidates the approval (the range read is checked again at validation).
 */
export async function requireCurrentOffering(ctx: MarketContext, classId: string): Promise<void> {
  if ((await currentDocuments(ctx, classId, 'offering')).length === 0) {
    throw new MarketError(
      ErrorCode.COMPLIANCE,
      `share class ${classId} has no current offering document`,
      'NO_OFFERING_DOCUMENT',
    );
  }
}
