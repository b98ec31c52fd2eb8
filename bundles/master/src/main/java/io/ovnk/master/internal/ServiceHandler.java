package io.ovnk.master.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.ovnk.kube.ResourceHandler;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Services and their EndpointSlices, as load balancers: both kinds lead to the same reconciliation of the
 * Service, serialised per Service because a slice and its Service may change at once.
 */
final class ServiceHandler {

    private final MasterContext context;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    ServiceHandler(MasterContext context) {
        this.context = context;
    }

    ResourceHandler<Service> services() {
        return new ResourceHandler<>() {
            @Override
            public Class<Service> resourceType() {
                return Service.class;
            }

            @Override
            public void added(Service service) {
                reconcile(service.getMetadata().getNamespace(), service.getMetadata().getName());
            }

            @Override
            public void deleted(Service service) {
                reconcile(service.getMetadata().getNamespace(), service.getMetadata().getName());
            }
        };
    }

    ResourceHandler<EndpointSlice> slices() {
        return new ResourceHandler<>() {
            @Override
            public Class<EndpointSlice> resourceType() {
                return EndpointSlice.class;
            }

            @Override
            public void added(EndpointSlice slice) {
                owner(slice);
            }

            @Override
            public void deleted(EndpointSlice slice) {
                owner(slice);
            }

            private void owner(EndpointSlice slice) {
                Map<String, String> labels = slice.getMetadata().getLabels();
                String service = labels == null ? null : labels.get(ServiceBalancers.SERVICE_NAME_LABEL);
                if (service != null) {
                    reconcile(slice.getMetadata().getNamespace(), service);
                }
            }
        };
    }

    /** Reads the Service and its slices from the caches and makes its load balancers match. */
    void reconcile(String namespace, String name) {
        Object lock = locks.computeIfAbsent(namespace + "/" + name, k -> new Object());
        synchronized (lock) {
            Service service = context.informers.lister(Service.class).get(namespace, name).orElse(null);
            if (service == null) {
                context.services.remove(namespace, name);
                locks.remove(namespace + "/" + name);
                return;
            }
            List<EndpointSlice> slices = context.informers.lister(EndpointSlice.class).list(namespace).stream()
                    .filter(slice -> slice.getMetadata().getLabels() != null && Objects.equals(name,
                            slice.getMetadata().getLabels().get(ServiceBalancers.SERVICE_NAME_LABEL)))
                    .toList();
            List<ServiceBalancers.Balancer> balancers;
            try {
                balancers = ServiceBalancers.balancers(service, slices);
            } catch (IllegalArgumentException e) {
                context.problem(service, "spec", String.valueOf(service.getSpec()), "InvalidService",
                        "service " + namespace + "/" + name + ": " + e.getMessage());
                return;
            }
            context.services.ensure(namespace, name, balancers);
        }
    }

    static String describe(HasMetadata object) {
        return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    }
}
