package io.ovnk.ovn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.AtomicType;
import io.ovnk.ovsdb.ColumnExpectation;
import io.ovnk.ovsdb.DatabaseSchema;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbClients;
import io.ovnk.ovsdb.OvsdbException;
import io.ovnk.ovsdb.SchemaMismatchException;
import io.ovnk.ovsdb.TableModel;
import io.ovnk.ovsdb.TableMonitor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@RequiresOvn
class ModelsTest {

    @Test
    void everyModelFitsTheSchemasOfTheInstalledOvnAndOvs() throws Exception {
        try (OvnStack stack = OvnStack.singleChassis()) {
            Map<String, String> remotes = Map.of(Databases.NORTHBOUND, stack.northbound().unixRemote(),
                    Databases.SOUTHBOUND, stack.southbound().unixRemote(),
                    Databases.OPEN_VSWITCH, stack.chassis(0).database().unixRemote());
            int checked = 0;
            for (Map.Entry<String, String> database : remotes.entrySet()) {
                try (OvsdbClient client = OvsdbClients.connect(OvsdbClientConfig.of(database.getKey(), database.getValue()))) {
                    DatabaseSchema schema = client.getSchema(database.getKey()).get(10, TimeUnit.SECONDS);
                    for (TableModel<?> model : Databases.models()) {
                        if (model.database().equals(database.getKey())) {
                            assertEquals(List.of(), model.problems(schema), model.toString());
                            checked++;
                        }
                    }
                }
            }
            assertEquals(Databases.models().size(), checked);
        }
    }

    @Test
    void typedViewsReadTheCachedRowsAndAMisfitModelFailsItsMonitorNamingTheColumn() throws Exception {
        try (OvnStack stack = OvnStack.northboundOnly();
                OvsdbClient client = OvsdbClients.connect(OvsdbClientConfig.of(Databases.NORTHBOUND,
                        stack.northbound().unixRemote()))) {
            client.monitor(TableMonitor.of(LogicalSwitch.MODEL), TableMonitor.of(LogicalSwitchPort.MODEL))
                    .get(10, TimeUnit.SECONDS);
            stack.nbctl("ls-add", "node1", "--", "lsp-add", "node1", "web-1", "--", "lsp-set-addresses", "web-1",
                    "0a:58:0a:80:00:05 10.128.0.5", "--", "set", "Logical_Switch_Port", "web-1", "tag_request=7",
                    "external_ids:namespace=default");
            client.cache().await(LogicalSwitchPort.MODEL.table(), row -> "web-1".equals(row.string("name")),
                    Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
            LogicalSwitchPort port = client.cache().rows(LogicalSwitchPort.MODEL).get(0);
            assertEquals("web-1", port.name());
            assertEquals(java.util.Set.of("0a:58:0a:80:00:05 10.128.0.5"), port.addresses());
            assertEquals(7L, port.tagRequest().orElseThrow());
            assertEquals("default", port.externalIds().get("namespace"));
            LogicalSwitch node = client.cache().rows(LogicalSwitch.MODEL).get(0);
            assertEquals(java.util.Set.of(port.uuid()), node.ports());
            assertEquals(node, client.cache().get(LogicalSwitch.MODEL, node.uuid()).orElseThrow());

            TableModel<Object> misfit = TableModel.of(Databases.NORTHBOUND, "Logical_Switch", row -> row,
                    ColumnExpectation.scalar("nme", AtomicType.STRING), ColumnExpectation.map("ports", AtomicType.STRING,
                            AtomicType.STRING));
            try {
                client.monitor(TableMonitor.of(misfit)).get(10, TimeUnit.SECONDS);
                throw new AssertionError("a misfit model must fail its monitor");
            } catch (java.util.concurrent.ExecutionException e) {
                SchemaMismatchException mismatch = assertInstanceOf(SchemaMismatchException.class, OvsdbException.of(e));
                assertEquals(2, mismatch.problems().size(), mismatch.problems().toString());
                assertTrue(mismatch.problems().get(0).startsWith("Logical_Switch.nme: no such column in OVN_Northbound"));
                assertEquals("Logical_Switch.ports is a set, the model reads a map", mismatch.problems().get(1));
            }
        }
    }
}
