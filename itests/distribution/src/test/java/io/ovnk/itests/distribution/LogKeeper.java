package io.ovnk.itests.distribution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the logs and console outputs a test wrote in its {@code @TempDir} (bin/ovnkube's log/, the OVN stack's
 * daemon logs, {@link Ovnkube}'s recorded output) under target/it-logs before JUnit deletes the directory, so that
 * {@link SecretScanIT} can read every log the module's tests wrote. Registered for every test of the module
 * (junit-platform.properties, extension auto-detection); copies only logs, never configuration or key files.
 */
public final class LogKeeper implements AfterEachCallback, AfterAllCallback {

    private static final long LARGEST = 64L << 20;

    @Override
    public void afterEach(ExtensionContext context) {
        Object instance = context.getRequiredTestInstance();
        keep(temporaryDirectories(instance.getClass(), instance, false),
                context.getRequiredTestClass().getSimpleName() + "/" + context.getRequiredTestMethod().getName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        keep(temporaryDirectories(context.getRequiredTestClass(), null, true),
                context.getRequiredTestClass().getSimpleName() + "/all");
    }

    static Path directory() {
        return Path.of(System.getProperty("ovnk.it.logs", "target/it-logs")).toAbsolutePath();
    }

    /** A log or console output: *.log (rotated too), *.out, or anything in a directory named log. */
    static boolean isLog(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".log") || name.contains(".log.") || name.endsWith(".out")
                || (file.getParent() != null && file.getParent().getFileName() != null
                        && file.getParent().getFileName().toString().equals("log"));
    }

    private static List<Path> temporaryDirectories(Class<?> type, Object instance, boolean statics) {
        List<Path> found = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.isAnnotationPresent(TempDir.class) && Modifier.isStatic(field.getModifiers()) == statics
                        && Path.class.equals(field.getType())) {
                    try {
                        field.setAccessible(true);
                        Object value = field.get(statics ? null : instance);
                        if (value instanceof Path path) {
                            found.add(path);
                        }
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException("cannot read @TempDir " + field, e);
                    }
                }
            }
        }
        return found;
    }

    private static void keep(List<Path> roots, String test) {
        Path target = directory().resolve(test);
        deleteTree(target); // what an earlier run of the same test kept: this run's logs replace it
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path file : walk.filter(Files::isRegularFile).filter(LogKeeper::isLog).toList()) {
                    try {
                        if (Files.size(file) > LARGEST) {
                            continue;
                        }
                        Path copy = target.resolve(root.relativize(file).toString());
                        Files.createDirectories(copy.getParent());
                        Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                    } catch (java.nio.file.NoSuchFileException gone) {
                        // removed by its process while we walked: nothing left to scan
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot keep the logs of " + test + " from " + root, e);
            }
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the logs an earlier run kept in " + root, e);
        }
    }
}
