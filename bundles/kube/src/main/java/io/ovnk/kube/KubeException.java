package io.ovnk.kube;

/** Failures of this bundle's API that a caller can act on. */
public abstract sealed class KubeException extends RuntimeException permits KubeException.NotFound,
        KubeException.Conflict, AnnotationException {

    private static final long serialVersionUID = 1L;

    protected KubeException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The object does not exist (any more). */
    public static final class NotFound extends KubeException {
        private static final long serialVersionUID = 1L;

        public NotFound(String message) {
            super(message, null);
        }
    }

    /** The object kept changing between read and write, more often than the retries allow. */
    public static final class Conflict extends KubeException {
        private static final long serialVersionUID = 1L;

        public Conflict(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
