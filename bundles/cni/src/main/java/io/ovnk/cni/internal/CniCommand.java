package io.ovnk.cni.internal;

/** The value of {@code CNI_COMMAND}. */
public enum CniCommand {
    ADD, DEL, CHECK, STATUS, VERSION, GC
}
