/**
 * Clustering on Hazelcast: {@link io.corvid.broker.cluster.hazelcast.HazelcastCluster} makes a
 * broker one node of a cluster ({@code Broker.Builder.cluster(...)}). Hazelcast carries the
 * membership and the route table; messages travel between nodes over direct Netty connections.
 * Everything else in this package is internal. See docs/cluster.md for the design and the
 * guarantees.
 */
package io.corvid.broker.cluster.hazelcast;
