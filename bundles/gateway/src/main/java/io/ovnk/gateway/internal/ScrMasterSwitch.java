package io.ovnk.gateway.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.framework.Bundle;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.util.promise.Promise;

/**
 * The gateway master switched through Declarative Services: {@link GatewayMasterComponent} disabled (SCR deactivates
 * it: its handlers are unregistered, their queues drained, its executor stopped) or enabled. SCR keeps the switch
 * until the bundle restarts.
 */
final class ScrMasterSwitch implements CleanupCommand.MasterSwitch {

    private final ServiceComponentRuntime scr;
    private final Bundle bundle;
    private final Duration timeout;

    ScrMasterSwitch(ServiceComponentRuntime scr, Bundle bundle, Duration timeout) {
        this.scr = scr;
        this.bundle = bundle;
        this.timeout = timeout;
    }

    @Override
    public boolean disable() throws Exception {
        ComponentDescriptionDTO component = component();
        boolean was = scr.isComponentEnabled(component);
        await(scr.disableComponent(component), "disabling");
        if (!scr.getComponentConfigurationDTOs(component).isEmpty()) {
            throw new IllegalStateException(component.name + " still has a configuration after it was disabled");
        }
        return was;
    }

    @Override
    public boolean enable() throws Exception {
        ComponentDescriptionDTO component = component();
        boolean was = scr.isComponentEnabled(component);
        await(scr.enableComponent(component), "enabling");
        return !was;
    }

    private ComponentDescriptionDTO component() {
        ComponentDescriptionDTO component = scr.getComponentDescriptionDTO(bundle, GatewayMasterComponent.class.getName());
        if (component == null) {
            throw new IllegalStateException("no component " + GatewayMasterComponent.class.getName() + " in bundle "
                    + bundle.getSymbolicName());
        }
        return component;
    }

    /** Waits, event-driven, until SCR resolves the promise (it does once the component is (de)activated). */
    private void await(Promise<Void> promise, String what) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        promise.onResolve(() -> done.complete(null));
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " " + GatewayMasterComponent.class.getSimpleName() + ": not done within "
                    + timeout.toSeconds() + " s", e);
        }
        Throwable failure = promise.getFailure();
        if (failure != null) {
            throw new IllegalStateException(what + " " + GatewayMasterComponent.class.getSimpleName() + ": " + failure,
                    failure);
        }
    }
}
