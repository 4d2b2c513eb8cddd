/** A company's ABC category (A: the most valuable clients), as the REST API, the import and the entity know it. */
export const ABC_CATEGORIES = ['A', 'B', 'C'] as const;
export type AbcCategory = (typeof ABC_CATEGORIES)[number];
