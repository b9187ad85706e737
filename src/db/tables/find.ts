/** One search document per offer, kept by database triggers (see migration 20261122_0201). */
export interface OfferSearchDocumentsTable {
  offerId: string;
  /** A tsvector; only ever compared in SQL, never read into the app. */
  document: string;
}

export type FindTables = { offerSearchDocuments: OfferSearchDocumentsTable };
