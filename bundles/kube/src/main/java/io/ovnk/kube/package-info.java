/**
 * The Kubernetes side of ovnk: whiteboard {@link io.ovnk.kube.ResourceHandler}s fed by shared informers through
 * per-key work queues, listers over the informers' caches, the {@link io.ovnk.kube.Leadership} service that
 * exists while this process leads, an {@link io.ovnk.kube.Annotator} that patches annotations with retries on
 * conflict, and strict codecs for the {@code k8s.ovn.org} annotations. The fabric8
 * {@code KubernetesClient} itself is published as a service by this bundle.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.ovnk.kube;
