/**
 * The source reader: the fetcher that decodes splits through the collection's decoder ({@code
 * AnnDataSplitReader}, {@code SplitCursor}) on the TaskManager's decode pool ({@code
 * DecodePool}), the stores a reader keeps open, and the emitter that advances each split's
 * position by the cells a record covers.
 */
package io.github.flinkanndata.source.reader;
