package io.corvid.broker.admin;

import io.corvid.broker.Broker;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.topic.Topics;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code /api/v1/retained}: the retained messages, one by topic, and removing one. */
final class RetainedEndpoints {
    private static final Logger LOG = LoggerFactory.getLogger(RetainedEndpoints.class);

    private final Broker broker;

    RetainedEndpoints(Broker broker) {
        this.broker = broker;
    }

    /**
     * {@code GET /api/v1/retained?filter=&offset=&limit=}: the messages whose topics match the
     * filter ({@code #} by default, which in MQTT leaves out {@code $} topics such as {@code $SYS}),
     * ordered by topic, with their payloads shortened to a preview.
     */
    ApiResponse list(ApiRequest request) {
        String filter = request.query("filter");
        if (filter == null) {
            filter = "#";
        }
        if (!Topics.isValidTopicFilter(filter) || Topics.isShared(filter)) {
            throw ApiException.badRequest("not a valid topic filter: '" + filter
                    + "' (in a query, '#' is sent as %23 and '+' as %2B)");
        }
        Page page = Page.of(request);
        List<RetainedMessageView> messages = broker.retained(filter).stream()
                .sorted(Comparator.comparing(Publish::topic))
                .map(RetainedMessageView::preview)
                .toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("filter", filter);
        body.putAll(page.window("messages", messages));
        return ApiResponse.ok(body);
    }

    /** {@code GET /api/v1/retained/{topic...}}: one message, its payload whole. */
    ApiResponse get(ApiRequest request) {
        String topic = topic(request);
        if (Topics.isShared(topic)) {
            // The broker looks retained messages up by filter, and $share/... is not a plain filter.
            throw ApiException.badRequest("a topic under " + Topics.SHARED_PREFIX + " cannot be looked up; "
                    + "it can still be deleted");
        }
        return broker.retained(topic).stream()
                .filter(message -> message.topic().equals(topic))
                .findFirst()
                .map(message -> ApiResponse.ok(RetainedMessageView.full(message)))
                .orElseThrow(() -> noneFor(topic));
    }

    /** {@code DELETE /api/v1/retained/{topic...}}. */
    ApiResponse delete(ApiRequest request) {
        String topic = topic(request);
        if (!broker.removeRetained(topic)) {
            throw noneFor(topic);
        }
        LOG.info("Admin API: {} removed the retained message of '{}'", request.remote(), topic);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("topic", topic);
        body.put("removed", true);
        return ApiResponse.ok(body);
    }

    private static String topic(ApiRequest request) {
        String topic = request.pathParameter("topic");
        if (!Topics.isValidTopicName(topic)) {
            throw ApiException.badRequest("not a valid topic name (with + or #): '" + topic + "'");
        }
        return topic;
    }

    private static ApiException noneFor(String topic) {
        return ApiException.notFound("no retained message on '" + topic + "'");
    }
}
