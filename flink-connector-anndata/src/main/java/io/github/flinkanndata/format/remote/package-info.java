/**
 * Reading stores in place on object storage, without Flink: {@code ObjectStorage} is what a file
 * system offers (status, listing, one range read); {@code RangeReader} adds the bounded range
 * cache, coalescing, concurrent fetches, retries and the checks that an object did not change
 * while a job reads it.
 */
package io.github.flinkanndata.format.remote;
