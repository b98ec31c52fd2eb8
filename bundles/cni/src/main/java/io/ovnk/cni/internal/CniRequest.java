package io.ovnk.cni.internal;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * One CNI request as the shim forwarded it, validated for its command: for ADD and CHECK every field is present
 * and valid; DEL may lack the netns and the pod; STATUS, GC and VERSION need only the configuration.
 *
 * @param command {@code CNI_COMMAND}
 * @param containerId {@code CNI_CONTAINERID}, empty for STATUS, GC and VERSION
 * @param netns {@code CNI_NETNS}, empty when not given (DEL, STATUS, GC, VERSION)
 * @param ifName {@code CNI_IFNAME}, empty for STATUS, GC and VERSION
 * @param pod the pod of {@code CNI_ARGS}; always present for ADD and CHECK
 * @param args every {@code CNI_ARGS} pair
 * @param config the network configuration from the shim's stdin
 */
public record CniRequest(CniCommand command, String containerId, String netns, String ifName, Optional<PodRef> pod,
        Map<String, String> args, NetworkConfig config) {

    public CniRequest {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(netns, "netns");
        Objects.requireNonNull(ifName, "ifName");
        Objects.requireNonNull(pod, "pod");
        args = Map.copyOf(args);
        Objects.requireNonNull(config, "config");
    }

    /** What requests for one pod are serialised on: the pod when known, else the sandbox. */
    public String lockKey() {
        return pod.map(PodRef::toString).orElse("sandbox " + containerId);
    }

    /** How messages name what the request is about: its pod, else its sandbox, else its command. */
    public String podName() {
        if (pod.isPresent()) {
            return "pod " + pod.get();
        }
        return containerId.isEmpty() ? "CNI " + command : "sandbox " + containerId;
    }

    /** The pod named by {@code K8S_POD_NAMESPACE}, {@code K8S_POD_NAME} and {@code K8S_POD_UID}. */
    public record PodRef(String namespace, String name, String uid) {
        public PodRef {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(uid, "uid");
        }

        @Override
        public String toString() {
            return namespace + "/" + name;
        }
    }

    /**
     * The network configuration (one plugin's, as libcni hands it over: the list's cniVersion and name merged in).
     *
     * @param cniVersion one of {@link CniVersions#SUPPORTED}
     * @param prevResult CHECK's previous result (and DEL's, when the runtime sends it)
     * @param validAttachments GC's {@code cni.dev/valid-attachments}
     */
    public record NetworkConfig(String cniVersion, String name, String type, Optional<JsonNode> prevResult,
            List<Attachment> validAttachments) {
        public NetworkConfig {
            Objects.requireNonNull(cniVersion, "cniVersion");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(prevResult, "prevResult");
            validAttachments = List.copyOf(validAttachments);
        }

        /** VERSION's configuration when the runtime sent none. */
        static NetworkConfig none() {
            return new NetworkConfig(CniVersions.CURRENT, "", "", Optional.empty(), List.of());
        }
    }

    /** One entry of {@code cni.dev/valid-attachments}. */
    public record Attachment(String containerId, String ifName) {
        public Attachment {
            Objects.requireNonNull(containerId, "containerId");
            Objects.requireNonNull(ifName, "ifName");
        }
    }
}
