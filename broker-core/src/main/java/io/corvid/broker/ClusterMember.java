package io.corvid.broker;

import java.util.Objects;

/**
 * One node of a cluster as {@link Cluster#members()} reports it.
 *
 * @param nodeId         the node's identifier, unique in the cluster for the node's lifetime
 * @param controlAddress where the cluster's control plane (membership) reaches it, as host:port
 * @param dataAddress    where other nodes send it messages, as host:port, or {@code null} when not
 *                       (yet) known
 * @param local          whether it is this node
 */
public record ClusterMember(String nodeId, String controlAddress, String dataAddress, boolean local) {
    public ClusterMember {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(controlAddress, "controlAddress");
    }
}
