package io.ovnk.launcher.docs;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes {@code docs/configuration.md}, the configuration reference, from what the bundles themselves declare: the
 * metatype ({@code OSGI-INF/metatype/*.xml}, written by bnd from the {@code @ObjectClassDefinition} annotations) of
 * every io.ovnk bundle in the features' system repository, plus the default configurations of the feature files
 * and the shipped {@code etc/} files. ConfigReferenceTest regenerates it in every build and fails if the committed
 * file differs, so the reference cannot drift from the code.
 *
 * <p>Usage: {@code ConfigReference [REPOSITORY_ROOT [OUTPUT]]}; the root defaults to the current directory's
 * parent when run from {@code distribution/}, the output to {@code REPOSITORY_ROOT/docs/configuration.md}.
 */
public final class ConfigReference {

    /** How to regenerate the reference; printed by the file and by the test when it is out of date. */
    public static final String REGENERATE =
            "mvn -B -ntp install -DskipTests && mvn -B -ntp -pl distribution compile exec:java@config-reference";

    /** Where the reference lies, relative to the repository root. */
    public static final String OUTPUT = "docs/configuration.md";

    private static final int UNBOUNDED = Integer.MAX_VALUE;

    private ConfigReference() {
    }

    public static void main(String[] args) throws Exception {
        Path root = args.length > 0 ? Path.of(args[0]) : defaultRoot();
        Path out = args.length > 1 ? Path.of(args[1]) : root.resolve(OUTPUT);
        String text = generate(root);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, text, StandardCharsets.UTF_8);
        System.out.println("wrote " + out.toAbsolutePath().normalize());
    }

    private static Path defaultRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("features")) ? here : here.getParent();
    }

    /** The system repository the features' build fills: every bundle of every feature, Maven layout. */
    public static Path systemRepository(Path root) {
        return root.resolve("features/target/system");
    }

    // ---------------------------------------------------------------- model

    record Option(String value, String label) {
    }

    record Attribute(String id, String name, String description, String type, int cardinality, String defaultValue,
            boolean required, String min, String max, List<Option> options) {
    }

    record Ocd(String id, String name, String description, List<Attribute> attributes) {
    }

    record Designate(String pid, boolean factory, Ocd ocd) {
    }

    record Bundle(String symbolicName, String artifact, List<Designate> designates) {
    }

    // ---------------------------------------------------------------- reading

    /** The reference, as Markdown, from the repository at {@code root} (its bundles must have been built). */
    public static String generate(Path root) throws Exception {
        Path system = systemRepository(root);
        Path ovnk = system.resolve("io/ovnk");
        if (!Files.isDirectory(ovnk)) {
            throw new IllegalStateException("no bundles in " + ovnk.toAbsolutePath().normalize()
                    + ": build first (mvn -B -ntp install -DskipTests)");
        }
        List<Path> jars;
        try (Stream<Path> files = Files.walk(ovnk)) {
            jars = files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
        List<Bundle> bundles = new ArrayList<>();
        for (Path jar : jars) {
            bundles.add(readBundle(jar, ovnk));
        }
        bundles.sort(Comparator.comparing(Bundle::symbolicName));
        Map<String, Map<String, Map<String, JsonNode>>> featureConfigs = featureConfigurations(
                root.resolve("features/src/main/features"));
        Map<String, Map<String, String>> etcFiles = etcFiles(root.resolve("config"));
        return render(bundles, featureConfigs, etcFiles);
    }

    static Bundle readBundle(Path jar, Path repository) throws Exception {
        String artifact = repository.relativize(jar).getName(0).toString();
        try (JarFile file = new JarFile(jar.toFile())) {
            String bsn = file.getManifest() == null ? null
                    : file.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
            bsn = bsn == null ? artifact : bsn.split(";")[0].trim();
            Map<String, Ocd> ocds = new LinkedHashMap<>();
            List<Element> designates = new ArrayList<>();
            List<ZipEntry> entries = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> e = file.entries(); e.hasMoreElements();) {
                ZipEntry entry = e.nextElement();
                String name = entry.getName();
                if (name.startsWith("OSGI-INF/metatype/") && name.endsWith(".xml") && !entry.isDirectory()) {
                    entries.add(entry);
                }
            }
            entries.sort(Comparator.comparing(ZipEntry::getName));
            for (ZipEntry entry : entries) {
                Document doc;
                try (InputStream in = file.getInputStream(entry)) {
                    doc = parser().parse(in);
                }
                for (Element ocd : children(doc.getDocumentElement(), "OCD")) {
                    Ocd parsed = readOcd(ocd);
                    ocds.put(parsed.id(), parsed);
                }
                designates.addAll(children(doc.getDocumentElement(), "Designate"));
            }
            List<Designate> result = new ArrayList<>();
            for (Element designate : designates) {
                boolean factory = !designate.getAttribute("factoryPid").isEmpty();
                String pid = factory ? designate.getAttribute("factoryPid") : designate.getAttribute("pid");
                for (Element object : children(designate, "Object")) {
                    Ocd ocd = ocds.get(object.getAttribute("ocdref"));
                    if (ocd == null) {
                        throw new IllegalStateException(jar + ": " + pid + " designates unknown OCD "
                                + object.getAttribute("ocdref"));
                    }
                    result.add(new Designate(pid, factory, ocd));
                }
            }
            result.sort(Comparator.comparing(Designate::pid));
            return new Bundle(bsn, artifact, result);
        }
    }

    private static Ocd readOcd(Element ocd) {
        List<Attribute> attributes = new ArrayList<>();
        for (Element ad : children(ocd, "AD")) {
            List<Option> options = new ArrayList<>();
            for (Element option : children(ad, "Option")) {
                options.add(new Option(option.getAttribute("value"), option.getAttribute("label")));
            }
            String cardinality = ad.getAttribute("cardinality");
            attributes.add(new Attribute(ad.getAttribute("id"), ad.getAttribute("name"),
                    ad.getAttribute("description"), ad.hasAttribute("type") ? ad.getAttribute("type") : "String",
                    cardinality.isEmpty() ? 0 : Integer.parseInt(cardinality.trim()),
                    ad.hasAttribute("default") ? ad.getAttribute("default") : null,
                    !"false".equals(ad.getAttribute("required")), ad.getAttribute("min"), ad.getAttribute("max"),
                    options));
        }
        return new Ocd(ocd.getAttribute("id"), ocd.getAttribute("name"), ocd.getAttribute("description"),
                attributes);
    }

    private static DocumentBuilder parser() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setExpandEntityReferences(false);
        return factory.newDocumentBuilder();
    }

    /** Child elements by local name: metatype's OCD, AD, Designate, Object and Option are unqualified. */
    private static List<Element> children(Element parent, String localName) {
        List<Element> result = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node instanceof Element element) {
                String name = element.getLocalName() != null ? element.getLocalName() : element.getTagName();
                if (name.equals(localName)) {
                    result.add(element);
                }
            }
        }
        return result;
    }

    /** PID (as written in the feature, {@code factory~name} for factory configurations) → feature → key → value. */
    static Map<String, Map<String, Map<String, JsonNode>>> featureConfigurations(Path featuresDir) throws IOException {
        Map<String, Map<String, Map<String, JsonNode>>> result = new TreeMap<>();
        if (!Files.isDirectory(featuresDir)) {
            return result;
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(featuresDir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        JsonMapper mapper = JsonMapper.builder().build();
        for (Path file : files) {
            String feature = file.getFileName().toString().replaceFirst("\\.json$", "");
            JsonNode configurations = mapper.readTree(Files.readString(file)).get("configurations");
            if (configurations == null || !configurations.isObject()) {
                continue;
            }
            for (Map.Entry<String, JsonNode> pid : configurations.properties()) {
                Map<String, JsonNode> keys = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> key : pid.getValue().properties()) {
                    // the feature model allows a type after the key ("port:Integer")
                    keys.put(key.getKey().replaceFirst(":.*$", ""), key.getValue());
                }
                result.computeIfAbsent(pid.getKey(), k -> new TreeMap<>()).put(feature, keys);
            }
        }
        return result;
    }

    /** PID → key → value of the etc/ files the distribution ships (from config/ at the repository root). */
    static Map<String, Map<String, String>> etcFiles(Path configDir) throws IOException {
        Map<String, Map<String, String>> result = new TreeMap<>();
        if (!Files.isDirectory(configDir)) {
            return result;
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(configDir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".cfg")).sorted().toList();
        }
        for (Path file : files) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
            Map<String, String> keys = new TreeMap<>();
            properties.stringPropertyNames().forEach(k -> keys.put(k, properties.getProperty(k).trim()));
            result.put(file.getFileName().toString().replaceFirst("\\.cfg$", ""), keys);
        }
        return result;
    }

    // ---------------------------------------------------------------- writing

    static String render(List<Bundle> bundles, Map<String, Map<String, Map<String, JsonNode>>> featureConfigs,
            Map<String, Map<String, String>> etcFiles) {
        StringBuilder md = new StringBuilder();
        md.append("# Configuration reference\n\n");
        md.append("<!-- Generated by io.ovnk.launcher.docs.ConfigReference from the bundles' metatype: do not edit.\n");
        md.append("     Regenerate: ").append(REGENERATE).append(" -->\n\n");
        md.append("Every configuration PID of ovnk and its keys, generated from the metatype the bundles carry "
                + "(`OSGI-INF/metatype/*.xml`, written by bnd from the components' `@ObjectClassDefinition`), so it "
                + "is what the code accepts; the build fails when this file is out of date. Regenerate it with\n\n");
        md.append("```\n").append(REGENERATE).append("\n```\n\n");
        md.append("A PID is configured in `etc/<pid>.cfg` (or `.config`); a factory PID in "
                + "`etc/<factoryPid>~<name>.cfg`, one configuration (and one service) per name. Keys without a "
                + "default and marked required must be set before the component starts. Multi-valued keys take "
                + "comma-separated values in `.cfg` files. The features' default configurations are the base and the "
                + "keys of `etc/` files (including those the distribution ships, from `config/`) are laid over them "
                + "(see README, \"Configuration files\").\n\n");

        md.append("| Bundle | PID | Name |\n|---|---|---|\n");
        for (Bundle bundle : bundles) {
            for (Designate d : bundle.designates()) {
                md.append("| `").append(bundle.symbolicName()).append("` | [`").append(d.pid()).append("`](#")
                        .append(anchor(d)).append(")").append(d.factory() ? " (factory)" : "").append(" | ")
                        .append(cell(d.ocd().name())).append(" |\n");
            }
        }
        md.append('\n');
        List<String> without = bundles.stream().filter(b -> b.designates().isEmpty()).map(Bundle::symbolicName)
                .toList();
        if (!without.isEmpty()) {
            md.append("Bundles without configuration: ")
                    .append(without.stream().map(b -> "`" + b + "`").collect(Collectors.joining(", ")))
                    .append(".\n\n");
        }

        Map<String, Boolean> known = new TreeMap<>();
        for (Bundle bundle : bundles) {
            if (bundle.designates().isEmpty()) {
                continue;
            }
            md.append("## Bundle `").append(bundle.symbolicName()).append("`\n\n");
            for (Designate d : bundle.designates()) {
                known.put(d.pid(), d.factory());
                renderDesignate(md, d, featureConfigs, etcFiles);
            }
        }

        List<String> orphans = new ArrayList<>();
        for (String pid : featureConfigs.keySet()) {
            if (!known.containsKey(basePid(pid))) {
                orphans.add("`" + pid + "` (feature " + String.join(", ", featureConfigs.get(pid).keySet()) + ")");
            }
        }
        for (String pid : etcFiles.keySet()) {
            if (!known.containsKey(basePid(pid))) {
                orphans.add("`" + pid + "` (etc/" + pid + ".cfg)");
            }
        }
        if (!orphans.isEmpty()) {
            md.append("## Configured without metatype\n\n");
            md.append("These default configurations name a PID no bundle describes: ")
                    .append(String.join(", ", orphans)).append(".\n");
        }
        return md.toString();
    }

    private static void renderDesignate(StringBuilder md, Designate d,
            Map<String, Map<String, Map<String, JsonNode>>> featureConfigs, Map<String, Map<String, String>> etcFiles) {
        md.append("### `").append(d.pid()).append("`").append(d.factory() ? " (factory PID)" : "").append("\n\n");
        Ocd ocd = d.ocd();
        md.append("**").append(inline(ocd.name())).append("**");
        if (!ocd.description().isEmpty()) {
            md.append(": ").append(inline(ocd.description()));
        }
        md.append("\n\n");
        md.append(d.factory() ? "Configured in `etc/" + d.pid() + "~<name>.cfg`, one instance per name."
                : "Configured in `etc/" + d.pid() + ".cfg`.").append('\n');

        List<String> defaults = new ArrayList<>();
        for (Map.Entry<String, Map<String, Map<String, JsonNode>>> e : featureConfigs.entrySet()) {
            if (!basePid(e.getKey()).equals(d.pid())) {
                continue;
            }
            for (Map.Entry<String, Map<String, JsonNode>> feature : e.getValue().entrySet()) {
                String what = feature.getValue().entrySet().stream()
                        .map(k -> "`" + k.getKey() + "` = `" + k.getValue().toString() + "`")
                        .collect(Collectors.joining(", "));
                defaults.add("feature `" + feature.getKey() + "`"
                        + (e.getKey().equals(d.pid()) ? "" : " (as `" + e.getKey() + "`)") + " sets "
                        + (what.isEmpty() ? "no keys (the configuration exists)" : what));
            }
        }
        for (Map.Entry<String, Map<String, String>> e : etcFiles.entrySet()) {
            if (basePid(e.getKey()).equals(d.pid())) {
                defaults.add("the shipped `etc/" + e.getKey() + ".cfg` (from `config/`) sets "
                        + e.getValue().entrySet().stream()
                                .map(k -> "`" + k.getKey() + "` = " + code(k.getValue()))
                                .collect(Collectors.joining(", ")));
            }
        }
        if (!defaults.isEmpty()) {
            md.append("By default: ").append(String.join("; ", defaults)).append(".\n");
        }
        md.append('\n');

        md.append("| Key | Type | Cardinality | Default | Required | Options | Range | Description |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (Attribute a : ocd.attributes()) {
            md.append("| `").append(a.id()).append("` | ").append(a.type()).append(" | ")
                    .append(cardinality(a.cardinality())).append(" | ").append(defaultValue(a)).append(" | ")
                    .append(a.required() ? "yes" : "no").append(" | ").append(options(a.options())).append(" | ")
                    .append(range(a)).append(" | ").append(cell(a.description())).append(" |\n");
        }
        md.append('\n');
    }

    private static String basePid(String pid) {
        int tilde = pid.indexOf('~');
        return tilde < 0 ? pid : pid.substring(0, tilde);
    }

    private static String cardinality(int cardinality) {
        if (cardinality == 0) {
            return "single";
        }
        int bound = Math.abs(cardinality);
        return bound == UNBOUNDED ? "multiple" : "up to " + bound;
    }

    private static String defaultValue(Attribute a) {
        if (a.defaultValue() == null) {
            return "—";
        }
        if (a.cardinality() == 0) {
            return code(a.defaultValue());
        }
        List<String> values = splitDefault(a.defaultValue());
        return values.isEmpty() ? "(none)" : values.stream().map(ConfigReference::code).collect(Collectors.joining(", "));
    }

    /** Metatype defaults of multi-valued attributes are comma-separated, {@code \,} being a literal comma. */
    static List<String> splitDefault(String text) {
        List<String> values = new ArrayList<>();
        if (text.isEmpty()) {
            return values;
        }
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                current.append(text.charAt(++i));
            } else if (c == ',') {
                values.add(current.toString().trim());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        values.add(current.toString().trim());
        return values;
    }

    private static String options(List<Option> options) {
        if (options.isEmpty()) {
            return "";
        }
        return options.stream()
                .map(o -> code(o.value()) + (o.label().isEmpty() || o.label().equals(o.value()) ? ""
                        : " (" + cell(o.label()) + ")"))
                .collect(Collectors.joining("<br>"));
    }

    private static String range(Attribute a) {
        boolean min = !a.min().isEmpty();
        boolean max = !a.max().isEmpty();
        if (min && max) {
            return a.min() + " … " + a.max();
        }
        return min ? "≥ " + a.min() : max ? "≤ " + a.max() : "";
    }

    private static String code(String value) {
        if (value.isEmpty()) {
            return "(empty)";
        }
        String text = cell(value);
        return text.contains("`") ? "`` " + text + " ``" : "`" + text + "`";
    }

    /** Text inside a table cell: one line, pipes escaped. */
    private static String cell(String text) {
        return inline(text).replace("|", "\\|");
    }

    private static String inline(String text) {
        return text.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    /** GitHub's anchor for the heading {@link #renderDesignate} writes. */
    private static String anchor(Designate d) {
        String heading = d.pid() + (d.factory() ? " (factory PID)" : "");
        return heading.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
    }
}
