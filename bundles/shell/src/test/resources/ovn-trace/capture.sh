# Builds the topology TraceTest's captured outputs come from (ovn 23.03), then, e.g.:
#   ovn-trace --db=unix:$D/sb.sock --ct=new --ct=new --ct=new --ct=new node-a 'inport == "shop_web-a" && eth.src == 0a:58:0a:80:00:03 && eth.dst == 0a:58:0a:80:00:01 && ip4.src == 10.128.0.3 && ip.ttl == 64 && ip4.dst == 172.16.1.10 && tcp && tcp.dst == 80' > pod-to-vip.txt
# (same-switch / acl-drop: eth.dst 0a:58:0a:80:00:04; stop the daemons with kill $(cat $D/*.pid))
set -e
D=/tmp/trace-capture/db; rm -rf $D; mkdir -p $D
ovsdb-tool create $D/nb.db /usr/share/ovn/ovn-nb.ovsschema
ovsdb-tool create $D/sb.db /usr/share/ovn/ovn-sb.ovsschema
ovsdb-server --detach --no-chdir --pidfile=$D/nb.pid --log-file=$D/nb.log --unixctl=$D/nb.ctl --remote=punix:$D/nb.sock $D/nb.db
ovsdb-server --detach --no-chdir --pidfile=$D/sb.pid --log-file=$D/sb.log --unixctl=$D/sb.ctl --remote=punix:$D/sb.sock $D/sb.db
ovn-northd --detach --no-chdir --pidfile=$D/northd.pid --log-file=$D/northd.log --unixctl=$D/northd.ctl --ovnnb-db=unix:$D/nb.sock --ovnsb-db=unix:$D/sb.sock
N="ovn-nbctl --db=unix:$D/nb.sock"
$N lr-add ovn_cluster_router
$N ls-add node-a -- set logical_switch node-a other_config:subnet=10.128.0.0/23
$N ls-add node-b -- set logical_switch node-b other_config:subnet=10.128.2.0/23
$N lrp-add ovn_cluster_router rtos-node-a 0a:58:0a:80:00:01 10.128.0.1/23
$N lrp-add ovn_cluster_router rtos-node-b 0a:58:0a:80:02:01 10.128.2.1/23
$N lsp-add node-a stor-node-a -- lsp-set-type stor-node-a router -- lsp-set-addresses stor-node-a router -- lsp-set-options stor-node-a router-port=rtos-node-a
$N lsp-add node-b stor-node-b -- lsp-set-type stor-node-b router -- lsp-set-addresses stor-node-b router -- lsp-set-options stor-node-b router-port=rtos-node-b
$N lsp-add node-a shop_web-a -- lsp-set-addresses shop_web-a "0a:58:0a:80:00:03 10.128.0.3" -- lsp-set-port-security shop_web-a "0a:58:0a:80:00:03 10.128.0.3"
$N lsp-add node-b shop_web-b -- lsp-set-addresses shop_web-b "0a:58:0a:80:02:03 10.128.2.3" -- lsp-set-port-security shop_web-b "0a:58:0a:80:02:03 10.128.2.3"
$N lsp-add node-a shop_db-a -- lsp-set-addresses shop_db-a "0a:58:0a:80:00:04 10.128.0.4" -- lsp-set-port-security shop_db-a "0a:58:0a:80:00:04 10.128.0.4"
$N lb-add Service_shop/web_TCP_cluster 172.16.1.10:80 10.128.2.3:8080 tcp
$N lb-add Service_shop/empty_TCP_cluster 172.16.1.11:80 "" tcp
$N set load_balancer Service_shop/empty_TCP_cluster options:reject=true
for s in node-a node-b; do $N ls-lb-add $s Service_shop/web_TCP_cluster; $N ls-lb-add $s Service_shop/empty_TCP_cluster; done
$N lr-lb-add ovn_cluster_router Service_shop/web_TCP_cluster
# a policy: nothing reaches shop_db-a on tcp 5432
$N acl-add node-a to-lport 1000 'outport == "shop_db-a" && tcp.dst == 5432' drop
$N --wait=sb sync
