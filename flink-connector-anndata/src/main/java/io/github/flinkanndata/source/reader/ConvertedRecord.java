package io.github.flinkanndata.source.reader;

import org.apache.flink.annotation.Internal;

/**
 * A record of the output format on its way from the fetcher to the task thread, with what the
 * emitter needs to keep the split's position exact: how many cells it covers, and their epoch.
 */
@Internal
record ConvertedRecord<T>(T record, int cells, int epoch) {}
