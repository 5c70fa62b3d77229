package io.github.flinkanndata.format.remote;

import java.io.IOException;

/**
 * An object of a remote store changed (other length or modification time, or it disappeared)
 * while a job reads it. Never retried: the job must not mix rows of two versions of a store, so
 * it fails and names the object; restarting it reads the new version from the start.
 */
public final class ObjectChangedException extends IOException {
    private static final long serialVersionUID = 1L;

    public ObjectChangedException(String message) {
        super(message);
    }

    public ObjectChangedException(String message, Throwable cause) {
        super(message, cause);
    }
}
