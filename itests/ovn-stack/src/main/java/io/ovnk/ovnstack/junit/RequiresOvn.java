package io.ovnk.ovnstack.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks tests that need a real OVS/OVN stack. Where the machine cannot run one they are skipped with the
 * reason, except under {@code CI=true}, where that is a failure: CI must run them.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(OvnPrerequisiteExtension.class)
public @interface RequiresOvn {
}
