package io.corvid.broker;

/**
 * A connected client as an operator sees it: who it is, since when, and what it holds.
 * A snapshot: the counts may have moved by the time it is read.
 *
 * @param client            who the client is and how it connected
 * @param keepAliveSeconds  the keep alive in force (the broker's, when it overrode the client's); 0 = none
 * @param connectedAtMillis when its CONNECT was accepted, in milliseconds since the epoch
 * @param queuedMessages    messages waiting in its session, not yet sent
 * @param inflightMessages  QoS 1/2 messages sent to it and not yet acknowledged
 * @param subscriptions     how many subscriptions its session has
 */
public record ClientStatus(ClientInfo client, int keepAliveSeconds, long connectedAtMillis, int queuedMessages,
                           int inflightMessages, int subscriptions) {
}
