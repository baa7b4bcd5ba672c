import { z } from 'zod';

/** A duration as the topology writes it (`250ms`, `2s`), in the form Fabric's config files take. */
export const durationSchema = z.string().regex(/^\d+(ms|s)$/, 'a duration such as 250ms or 2s');
