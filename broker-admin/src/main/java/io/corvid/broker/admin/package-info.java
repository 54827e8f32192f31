/**
 * The admin HTTP API and dashboard of a Corvid broker: {@link io.corvid.broker.admin.AdminServer}
 * serves, on a listener of its own, JSON under {@code /api/v1} (the broker, clients, sessions,
 * retained messages, publishing, configuration, counters), the Prometheus exposition on
 * {@code /metrics}, liveness and readiness on {@code /health} and {@code /ready}, and a
 * dashboard page on {@code /}. See docs/operations.md, "Admin HTTP API and dashboard".
 */
package io.corvid.broker.admin;
