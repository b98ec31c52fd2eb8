package io.ovnk.runtime.internal.config;

import io.ovnk.runtime.internal.config.ConfigSchema.Attribute;
import io.ovnk.runtime.internal.config.ConfigSchema.Type;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/** {@link ConfigurationSync.Schemas} from the metatype of every installed bundle. */
final class MetaTypeSchemas implements ConfigurationSync.Schemas {

    private final BundleContext context;
    private final MetaTypeService metaType;

    MetaTypeSchemas(BundleContext context, MetaTypeService metaType) {
        this.context = context;
        this.metaType = metaType;
    }

    @Override
    public Optional<ConfigSchema> find(String pid) {
        for (Bundle bundle : context.getBundles()) {
            if (bundle.getState() == Bundle.UNINSTALLED) {
                continue;
            }
            MetaTypeInformation information = metaType.getMetaTypeInformation(bundle);
            if (information == null) {
                continue;
            }
            boolean describes = Arrays.asList(information.getPids()).contains(pid)
                    || Arrays.asList(information.getFactoryPids()).contains(pid);
            if (describes) {
                return Optional.of(schema(pid, information.getObjectClassDefinition(pid, null)));
            }
        }
        return Optional.empty();
    }

    private static ConfigSchema schema(String pid, ObjectClassDefinition definition) {
        AttributeDefinition[] required = definition.getAttributeDefinitions(ObjectClassDefinition.REQUIRED);
        Set<String> requiredIds = required == null ? Set.of()
                : Arrays.stream(required).map(AttributeDefinition::getID).collect(Collectors.toSet());
        AttributeDefinition[] all = definition.getAttributeDefinitions(ObjectClassDefinition.ALL);
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        for (AttributeDefinition ad : all == null ? new AttributeDefinition[0] : all) {
            String[] options = ad.getOptionValues();
            attributes.put(ad.getID(), new Attribute(ad.getID(), type(ad.getType()), ad.getCardinality(),
                    options == null ? List.of() : List.of(options), requiredIds.contains(ad.getID()),
                    ad.getDefaultValue() != null));
        }
        return new ConfigSchema(pid, attributes);
    }

    @SuppressWarnings("deprecation") // BIGINTEGER/BIGDECIMAL are deprecated but may still appear
    private static Type type(int type) {
        return switch (type) {
            case AttributeDefinition.LONG -> Type.LONG;
            case AttributeDefinition.INTEGER -> Type.INTEGER;
            case AttributeDefinition.SHORT -> Type.SHORT;
            case AttributeDefinition.CHARACTER -> Type.CHARACTER;
            case AttributeDefinition.BYTE -> Type.BYTE;
            case AttributeDefinition.DOUBLE -> Type.DOUBLE;
            case AttributeDefinition.FLOAT -> Type.FLOAT;
            case AttributeDefinition.BOOLEAN -> Type.BOOLEAN;
            case AttributeDefinition.PASSWORD -> Type.PASSWORD;
            default -> Type.STRING;
        };
    }
}
