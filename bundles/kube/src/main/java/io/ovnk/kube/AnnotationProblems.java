package io.ovnk.kube;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers which bad annotation values were reported, so a controller logs each once per change and skips
 * the object until its value changes, instead of logging it on every resync or retry.
 */
public final class AnnotationProblems {

    private final Map<String, String> reported = new ConcurrentHashMap<>();

    /** True the first time this object's annotation holds this bad value; false for a repeat. */
    public boolean firstReport(AnnotationException problem) {
        String before = reported.put(problem.object() + "\n" + problem.annotation(), problem.value());
        return !Objects.equals(before, problem.value());
    }

    /** Forgets an object (it was deleted, or its annotation is good again) so a new fault is reported anew. */
    public void forget(String object, String annotation) {
        reported.remove(object + "\n" + annotation);
    }

    public int size() {
        return reported.size();
    }
}
