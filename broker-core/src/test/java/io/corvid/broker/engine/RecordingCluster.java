package io.corvid.broker.engine;

import io.corvid.broker.Cluster;
import io.corvid.broker.ClusterContext;
import io.corvid.broker.ClusterMember;
import io.corvid.broker.ClusterMessage;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link Cluster} that records what the engine tells it and forwards nothing. */
final class RecordingCluster implements Cluster {
    /** "+filter" for each filterAdded, "-filter" for each filterRemoved, in order. */
    final List<String> filterEvents = new CopyOnWriteArrayList<>();
    final List<ClusterMessage> published = new CopyOnWriteArrayList<>();
    /** For each published message, in order, the shared groups the engine said it served itself. */
    final List<List<String>> servedShares = new CopyOnWriteArrayList<>();
    /** What {@link #publish} answers: how many other nodes pretend to have subscribers. */
    volatile int remoteNodesWithSubscribers;
    volatile ClusterContext context;

    @Override
    public void start(ClusterContext context) {
        this.context = context;
    }

    @Override
    public void stop() {
    }

    @Override
    public void filterAdded(String topicFilter) {
        filterEvents.add("+" + topicFilter);
    }

    @Override
    public void filterRemoved(String topicFilter) {
        filterEvents.add("-" + topicFilter);
    }

    @Override
    public int publish(ClusterMessage message) {
        published.add(message);
        return remoteNodesWithSubscribers;
    }

    @Override
    public int publish(ClusterMessage message, Collection<String> sharesServedHere) {
        servedShares.add(List.copyOf(sharesServedHere));
        return publish(message);
    }

    @Override
    public List<ClusterMember> members() {
        return List.of(new ClusterMember("local", "127.0.0.1:5701", null, true));
    }
}
