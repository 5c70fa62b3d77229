package io.github.flinkanndata.format.h5ad;

import io.jhdf.filter.FilterManager;
import io.jhdf.filter.FilterPipeline;
import io.jhdf.filter.PipelineFilterWithData;
import io.jhdf.object.message.FilterPipelineMessage.FilterInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import javax.annotation.Nullable;

/**
 * A dataset's filter pipeline, run one filter at a time so that each chunk's filter mask is
 * honoured.
 *
 * <p>Why: HDF5 may skip an optional filter for a single chunk (LZF gives up on data it cannot
 * shrink) and then sets that filter's bit in the chunk's filter mask. jhdf 0.13 parses the mask but
 * always runs the whole pipeline, so such a chunk is fed to a decompressor it never went through.
 * Decoding here skips every filter whose bit is set, as the HDF5 library does.
 *
 * <p>Filters come from jhdf's {@link FilterManager} (built-ins plus ours from {@link H5Filters}),
 * each wrapped in a one-filter pipeline because single filters are not public in jhdf. The two
 * decompressors are called directly with the chunk's decoded size as a bound: deflate inflates
 * straight into an array of that size (jhdf grows a stream from a guess, and a corrupt chunk could
 * inflate without limit); LZF, blosc and zstd refuse frames that declare or decode to more (their
 * headers declare the size, and a forged header would otherwise allocate up to 2 GiB).
 *
 * <p>Immutable and thread-safe (jhdf filters must be thread-safe).
 */
final class ChunkFilters {

    private static final int DEFLATE = 1;

    private record Step(String name, int id, FilterPipeline pipeline) {}

    static final ChunkFilters NONE = new ChunkFilters(List.of());

    /** Steps in pipeline (encoding) order; bit i of a chunk mask refers to step i. */
    private final List<Step> steps;

    private ChunkFilters(List<Step> steps) {
        this.steps = steps;
    }

    /** Builds from the pipeline jhdf parsed for a dataset; throws if a filter is unavailable. */
    static ChunkFilters of(List<PipelineFilterWithData> pipeline) {
        List<Step> steps = new ArrayList<>(pipeline.size());
        for (PipelineFilterWithData f : pipeline) {
            FilterInfo info = new FilterInfo(f.getId(), f.getName(), false, f.getFilterData());
            steps.add(new Step(f.getName(), f.getId(), FilterManager.getPipeline(List.of(info))));
        }
        return new ChunkFilters(List.copyOf(steps));
    }

    boolean isEmpty() {
        return steps.isEmpty();
    }

    /**
     * Undoes the filters of one chunk, last to first, skipping those whose mask bit is set.
     *
     * @param maxBytes the chunk's decoded size: no decompressor may produce more
     * @throws ChunkFilterException naming the filter that failed
     */
    byte[] decode(byte[] stored, @Nullable BitSet mask, int maxBytes) {
        byte[] data = stored;
        for (int i = steps.size() - 1; i >= 0; i--) {
            if (mask != null && mask.get(i)) {
                continue; // HDF5 skipped this optional filter when it wrote the chunk
            }
            Step step = steps.get(i);
            try {
                if (step.id == DEFLATE) {
                    data = inflate(data, maxBytes);
                } else if (step.id == TolerantLzfFilter.ID) {
                    data = TolerantLzfFilter.decode(data, maxBytes);
                } else if (step.id == BloscFilter.ID) {
                    data = BloscFilter.decode(data, maxBytes);
                } else if (step.id == ZstdFilter.ID) {
                    data = ZstdFilter.decode(data, maxBytes);
                } else {
                    data = step.pipeline.decode(data);
                }
            } catch (RuntimeException | StackOverflowError e) {
                throw new ChunkFilterException(
                        step.name + " (filter id " + step.id + ") failed: " + Failures.describe(e),
                        e);
            }
        }
        return data;
    }

    /** zlib-inflates into at most {@code maxBytes}, trimmed if the stream ends early. */
    static byte[] inflate(byte[] compressed, int maxBytes) {
        // one inflater per thread, reset per chunk: creating one (and its native zlib state)
        // per chunk cost more than inflating a small chunk
        Inflater inflater = INFLATER.get();
        inflater.reset();
        try {
            inflater.setInput(compressed);
            // deflate expands at most 1032:1, so a small chunk cannot fill a huge declared chunk
            // size: start at what the stream can hold (a corrupt chunk shape made this allocate
            // 128 MiB for 55 stored bytes, found by the reader fuzzer) and grow only if needed
            byte[] out = new byte[(int) Math.min(maxBytes, 1032L * compressed.length + 1024)];
            int n = 0;
            while (!inflater.finished()) {
                if (n == out.length) {
                    if (out.length == maxBytes) {
                        throw new IllegalStateException(
                                "deflate stream inflates to more than the chunk's "
                                        + maxBytes
                                        + " bytes");
                    }
                    out = Arrays.copyOf(out, (int) Math.min(maxBytes, 2L * out.length));
                }
                int got = inflater.inflate(out, n, out.length - n);
                if (got == 0 && !inflater.finished()) {
                    // needs input it does not have (truncated) or a preset dictionary (not HDF5)
                    throw new IllegalStateException(
                            "truncated deflate stream after " + n + " bytes");
                }
                n += got;
            }
            return n == out.length ? out : Arrays.copyOf(out, n);
        } catch (DataFormatException e) {
            throw new IllegalStateException("corrupt deflate stream: " + e.getMessage(), e);
        } finally {
            inflater.reset();
        }
    }

    private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(Inflater::new);

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (Step s : steps) {
            sb.append(sb.length() > 1 ? ", " : "").append(s.name).append('#').append(s.id);
        }
        return sb.append(']').toString();
    }

    /** A filter failed on one chunk; the message names the filter. */
    static final class ChunkFilterException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ChunkFilterException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
