package io.ovnk.kube;

/**
 * An annotation whose value does not parse: the message names the object, the annotation and the field,
 * {@code pod default/web-1: annotation k8s.ovn.org/pod-networks: default.ip_addresses[0]: "10.1.2" is not a CIDR}.
 */
public final class AnnotationException extends KubeException {

    private static final long serialVersionUID = 1L;
    /** Problems quote the value they are about; a huge value must not make a huge log line or Event. */
    static final int MAX_PROBLEM_CHARS = 400;

    private final String object;
    private final String annotation;
    private final String value;

    public AnnotationException(String object, String annotation, String value, String problem) {
        super(object + ": annotation " + annotation + ": " + cut(problem), null);
        this.object = object;
        this.annotation = annotation;
        this.value = value;
    }

    /** {@code kind namespace/name}, as in the message. */
    public String object() {
        return object;
    }

    public String annotation() {
        return annotation;
    }

    /** The value that failed, so that a caller can tell whether it has changed since. */
    public String value() {
        return value;
    }

    private static String cut(String problem) {
        if (problem == null || problem.length() <= MAX_PROBLEM_CHARS) {
            return problem;
        }
        return problem.substring(0, MAX_PROBLEM_CHARS) + "... (" + problem.length() + " characters)";
    }
}
