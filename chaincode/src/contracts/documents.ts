import { Info, Returns, Transaction } from 'fabric-contract-api';
import { createHash } from 'node:crypto';
import {
  attachDocumentSchema,
  classDocumentsQuerySchema,
  documentRefSchema,
  ErrorCode,
  MarketError,
  RECORD_VERSION,
  verifyDocumentSchema,
  type Asset,
  type AttesterRole,
  type ClassDocument,
  type DocumentVerification,
} from '@ecf/common';
import { resolveCaller, type Caller } from '../auth/caller';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import { classDocuments } from '../documents/current';
import { keys } from '../ledger/keys';
import { parseJsonArg } from '../input';
import { getAccount, getAsset } from '../registry/records';
import { BaseContract, json } from './base';

/**
 * Documents of share classes (decision 50): the offering document, the articles, legal opinions, each with
 * its SHA-256, URI, effective date and jurisdiction, attested by the issuer's operator or the class's
 * trustee and acknowledged by the regulator. A replaced document stays, marked REPLACED.
 */
@Info({ title: 'Documents', description: 'Documents of share classes: hashes, attestations, history, verification' })
export class DocumentsContract extends BaseContract {
  constructor() {
    super('Documents');
  }

  /** The issuer's operator or the class's trustee attaches a document, attesting it. */
  @Transaction()
  @Returns('string')
  public async Attach(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(attachDocumentSchema, input);
    const shareClass = await this.shareClass(ctx, req.classId);
    const role = await this.attesterRole(ctx, caller, shareClass);
    if (role === 'regulator') {
      throw new MarketError(ErrorCode.FORBIDDEN, 'the regulator acknowledges documents; it does not attach them');
    }
    const key = keys.classDocument(ctx.stub, shareClass.id, req.documentId);
    if (await ctx.ledger.get<ClassDocument>(key)) {
      throw new MarketError(ErrorCode.CONFLICT, `document ${req.documentId} of ${shareClass.id} exists`);
    }
    const current = (await classDocuments(ctx, shareClass.id)).find(
      (d) => d.status === 'CURRENT' && d.type === req.type && d.jurisdiction === req.jurisdiction,
    );
    if (current?.documentId !== req.replaces) {
      throw new MarketError(
        current ? ErrorCode.CONFLICT : ErrorCode.INVALID_ARGUMENT,
        current
          ? `${current.documentId} is the current ${req.type} document for ${req.jurisdiction}: name it in replaces`
          : `there is no current ${req.type} document for ${req.jurisdiction} to replace`,
      );
    }
    const now = ctx.ledger.now;
    const doc: ClassDocument = {
      v: RECORD_VERSION,
      classId: shareClass.id,
      documentId: req.documentId,
      type: req.type,
      sha256: req.sha256,
      uri: req.uri,
      effectiveAt: req.effectiveAt,
      jurisdiction: req.jurisdiction,
      status: 'CURRENT',
      ...(req.replaces ? { replaces: req.replaces } : {}),
      attestations: [{ role, mspId: caller.mspId, at: now, txId: ctx.ledger.txId }],
      attachedAt: now,
    };
    if (current) {
      await ctx.ledger.put(keys.classDocument(ctx.stub, shareClass.id, current.documentId), {
        ...current,
        status: 'REPLACED',
        replacedBy: doc.documentId,
        replacedAt: now,
      });
    }
    await ctx.ledger.put(key, doc);
    ctx.ledger.emit('DocumentAttached', {
      classId: doc.classId,
      documentId: doc.documentId,
      documentType: doc.type,
      ...(doc.replaces ? { replaces: doc.replaces } : {}),
    });
    return json(doc);
  }

  /** The other party (operator or trustee) attests a current document, or the regulator acknowledges it. */
  @Transaction()
  @Returns('string')
  public async Attest(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(documentRefSchema, input);
    const shareClass = await this.shareClass(ctx, req.classId);
    const role = await this.attesterRole(ctx, caller, shareClass);
    const doc = await this.document(ctx, shareClass.id, req.documentId);
    if (doc.status !== 'CURRENT') throw new MarketError(ErrorCode.CONFLICT, `${doc.documentId} has been replaced`);
    // An org vouches once: attesting again changes nothing, so a retried request is harmless.
    if (doc.attestations.some((a) => a.mspId === caller.mspId)) return json(doc);
    const attested: ClassDocument = {
      ...doc,
      attestations: [...doc.attestations, { role, mspId: caller.mspId, at: ctx.ledger.now, txId: ctx.ledger.txId }],
    };
    await ctx.ledger.put(keys.classDocument(ctx.stub, shareClass.id, doc.documentId), attested);
    ctx.ledger.emit('DocumentAttested', { classId: doc.classId, documentId: doc.documentId, role });
    return json(attested);
  }

  /** Any member: one document. */
  @Transaction(false)
  @Returns('string')
  public async Get(ctx: MarketContext, input: string): Promise<string> {
    await resolveCaller(ctx);
    const req = parseJsonArg(documentRefSchema, input);
    return json(await this.document(ctx, req.classId, req.documentId));
  }

  /** Any member: every document of a class, replaced ones included (the history). */
  @Transaction(false)
  @Returns('string')
  public async List(ctx: MarketContext, input: string): Promise<string> {
    await resolveCaller(ctx);
    const req = parseJsonArg(classDocumentsQuerySchema, input);
    await this.shareClass(ctx, req.classId);
    return json(await classDocuments(ctx, req.classId));
  }

  /** Any member: does this file hash to the recorded SHA-256? */
  @Transaction(false)
  @Returns('string')
  public async Verify(ctx: MarketContext, input: string): Promise<string> {
    await resolveCaller(ctx);
    const req = parseJsonArg(verifyDocumentSchema, input);
    const doc = await this.document(ctx, req.classId, req.documentId);
    const sha256 = createHash('sha256').update(Buffer.from(req.contentBase64, 'base64')).digest('hex');
    const result: DocumentVerification = {
      classId: doc.classId,
      documentId: doc.documentId,
      matches: sha256 === doc.sha256,
      sha256,
      recordedSha256: doc.sha256,
      status: doc.status,
    };
    return json(result);
  }

  private async shareClass(ctx: MarketContext, classId: string): Promise<Asset> {
    const asset = await getAsset(ctx, classId);
    if (asset.kind !== 'equity' || !asset.issuerAccountId) {
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${classId} is not a share class`);
    }
    return asset;
  }

  private async document(ctx: MarketContext, classId: string, documentId: string): Promise<ClassDocument> {
    const doc = await ctx.ledger.get<ClassDocument>(keys.classDocument(ctx.stub, classId, documentId));
    if (!doc) throw new MarketError(ErrorCode.NOT_FOUND, `document ${documentId} of ${classId} not found`);
    return doc;
  }

  /** Who may vouch for a class's documents: the issuer's operator, the class's trustee (both active), the regulator. */
  private async attesterRole(ctx: MarketContext, caller: Caller, shareClass: Asset): Promise<AttesterRole> {
    if (caller.kind === 'regulator') return 'regulator';
    if (caller.kind === 'trustee' && caller.mspId === shareClass.trusteeMspId && caller.participant.status === 'ACTIVE')
      return 'trustee';
    if (caller.kind === 'operator' && caller.participant.status === 'ACTIVE') {
      const issuer = await getAccount(ctx, shareClass.issuerAccountId ?? '');
      if (issuer.operatorMspId === caller.mspId) return 'operator';
    }
    throw new MarketError(ErrorCode.FORBIDDEN, `${caller.mspId} may not attest documents of ${shareClass.id}`);
  }
}
