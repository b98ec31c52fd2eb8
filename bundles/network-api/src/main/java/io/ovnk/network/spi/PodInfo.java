package io.ovnk.network.spi;

import java.util.Map;
import java.util.Objects;

/** What a mode may look at to bind a pod's port: its identity, node, labels and annotations. */
public record PodInfo(String namespace, String name, String uid, String node, Map<String, String> labels,
        Map<String, String> annotations) {

    public PodInfo {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(node, "node");
        uid = uid == null ? "" : uid;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
