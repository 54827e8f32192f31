package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Authorization;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.store.InMemorySessionStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The $SYS topics inside a running engine: retained delivery, the {@code $} rule, authorization
 * of readers, the timer, the store.
 */
class SysTopicsEngineTest extends EngineTestSupport {
    /** The last topic of a round that always publishes everything the first time. */
    private static final String LAST_OF_THE_FIRST_ROUND = "$SYS/broker/bytes/sent";
    /** An interval the tests never wait for: after the timer's first round, they run rounds themselves. */
    private static final Duration NEVER_DURING_A_TEST = Duration.ofHours(1);

    /** Builds the engine with the $SYS topics on and waits for the timer's first round, which starts at once. */
    private BrokerEngine startWithSysTopics(Duration interval) {
        settings.sysInterval(interval);
        BrokerEngine engine = engine();
        Await.until("the first $SYS round", () -> !engine.retained(LAST_OF_THE_FIRST_ROUND).isEmpty());
        return engine;
    }

    private static String text(Publish publish) {
        return new String(publish.payload(), UTF_8);
    }

    @Test
    void aLateSubscriberGetsTheCurrentValuesRetainedAsTheBrokerPublishedThem() {
        BrokerEngine engine = startWithSysTopics(NEVER_DURING_A_TEST);
        TestClient publisher = client("pub");
        publisher.connect(MQTT_5, true);
        for (int i = 0; i < 3; i++) {
            publisher.publish("nobody/listens", "x", QoS.AT_LEAST_ONCE, false);
        }
        engine.sysTopics().publishRound();

        TestClient reader = client("reader");
        reader.connect(MQTT_3_1_1, true);
        List<String> topics = List.of("$SYS/broker/version", "$SYS/broker/uptime", "$SYS/broker/clients/connected",
                "$SYS/broker/publish/messages/received", "$SYS/broker/retained messages/count");
        reader.subscribe(topics.stream().map(topic -> new Subscription(topic, QoS.EXACTLY_ONCE))
                .toArray(Subscription[]::new));
        Map<String, Publish> received = new HashMap<>();
        for (int i = 0; i < topics.size(); i++) {
            Publish publish = reader.receive();
            received.put(publish.topic(), publish);
            assertTrue(publish.retain(), publish.topic() + " is retained");
            assertEquals(QoS.AT_MOST_ONCE, publish.qos(), publish.topic() + " is published at QoS 0");
        }
        assertEquals("corvid " + BrokerVersion.current(), text(received.get("$SYS/broker/version")));
        assertTrue(text(received.get("$SYS/broker/uptime")).matches("\\d+ seconds"));
        assertEquals("1", text(received.get("$SYS/broker/clients/connected")), "the publisher, at that round");
        assertEquals("3", text(received.get("$SYS/broker/publish/messages/received")));
        assertEquals(Integer.toString(engine.retainedMessageCount()),
                text(received.get("$SYS/broker/retained messages/count")), "the $SYS topics are retained messages too");
        reader.expectNothing();
    }

    @Test
    void aRoundDeliversOnlyWhatChangedToCurrentSubscribers() {
        BrokerEngine engine = startWithSysTopics(NEVER_DURING_A_TEST);
        TestClient reader = client("reader");
        reader.connect(MQTT_5, true);
        reader.subscribe("$SYS/broker/clients/#", QoS.AT_MOST_ONCE);
        for (int i = 0; i < 5; i++) {
            reader.receive(); // connected, disconnected, total, maximum, expired: as retained at the first round
        }
        engine.sysTopics().publishRound();
        Map<String, String> changed = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            Publish publish = reader.receive();
            changed.put(publish.topic(), text(publish));
        }
        assertEquals(Map.of("$SYS/broker/clients/connected", "1", "$SYS/broker/clients/total", "1",
                "$SYS/broker/clients/maximum", "1"), changed, "the reader itself connected since the first round");
        engine.sysTopics().publishRound();
        reader.expectNothing();
    }

    @Test
    void wildcardsAtTheRootNeverReceiveSysTopicsLiveOrRetained() {
        BrokerEngine engine = startWithSysTopics(NEVER_DURING_A_TEST);
        TestClient sys = client("sys");
        sys.connect(MQTT_5, true);
        sys.subscribe("$SYS/broker/clients/connected", QoS.AT_MOST_ONCE);
        assertEquals("0", text(sys.receive()), "retained from the first round, before anyone connected");
        TestClient wild = client("wild");
        wild.connect(MQTT_5, true);
        wild.subscribe(new Subscription("#", QoS.AT_MOST_ONCE), new Subscription("+/broker/#", QoS.AT_MOST_ONCE),
                new Subscription("+/+/+", QoS.AT_MOST_ONCE));

        engine.sysTopics().publishRound();
        assertEquals("2", text(sys.receive()), "the round did publish");
        TestClient late = client("late");
        late.connect(MQTT_3_1_1, true);
        late.subscribe(new Subscription("#", QoS.AT_LEAST_ONCE), new Subscription("+/broker/+", QoS.AT_LEAST_ONCE));

        // Delivered after whatever the round and the subscriptions handed over, on the same session executors.
        engine.publishFromApplication(Publish.atMostOnce("end/broker/marker", new byte[] {1}, false));
        assertEquals("end/broker/marker", wild.receive().topic(), "# and +/broker/# got nothing of the round");
        assertEquals("end/broker/marker", late.receive().topic(), "# got none of the retained $SYS messages");
        wild.expectNothing();
        late.expectNothing();
    }

    @Test
    void readingSysTopicsIsUpToTheAuthorizationLikeAnyOtherTopic() {
        List<String> asked = new CopyOnWriteArrayList<>();
        authorization = new Authorization() {
            @Override
            public boolean canSubscribe(ClientInfo client, String topicFilter, QoS qos) {
                asked.add(client.clientId() + " " + topicFilter);
                return !topicFilter.startsWith("$SYS") || client.clientId().equals("operator");
            }
        };
        startWithSysTopics(NEVER_DURING_A_TEST);
        TestClient nosy = client("nosy");
        nosy.connect(MQTT_5, true);
        assertEquals(ReasonCode.NOT_AUTHORIZED, nosy.subscribe("$SYS/#", QoS.AT_MOST_ONCE).reasonCodes().get(0));
        TestClient operator = client("operator");
        operator.connect(MQTT_5, true);
        assertEquals(ReasonCode.GRANTED_QOS_0,
                operator.subscribe("$SYS/broker/version", QoS.AT_MOST_ONCE).reasonCodes().get(0));
        assertTrue(operator.receive().retain());
        assertEquals(List.of("nosy $SYS/#", "operator $SYS/broker/version"), asked);
        nosy.expectNothing();
    }

    @Test
    void theTimerPublishesEveryIntervalAndStopsWithTheEngine() {
        BrokerEngine engine = startWithSysTopics(Duration.ofMillis(100));
        TestClient reader = client("reader");
        reader.connect(MQTT_5, true);
        reader.subscribe("$SYS/broker/clients/maximum", QoS.AT_MOST_ONCE);
        TestClient other = client("other");
        other.connect(MQTT_3_1_1, true);
        String maximum = text(reader.receive());
        for (int i = 0; i < 3 && !maximum.equals("2"); i++) {
            maximum = text(reader.receive()); // "0" retained at the start, "1" if a round fell between the connects
        }
        assertEquals("2", maximum, "a later round of the timer, without the test's help");

        restartEngine();
        assertTrue(engine.sysTimer().isCancelled(), "the timer ends with the engine");
    }

    @Test
    void aZeroIntervalTurnsThemOff() {
        settings.sysInterval(Duration.ZERO);
        engine().start();
        assertEquals(null, engine().sysTopics());
        assertEquals(null, engine().sysTimer());
    }

    @Test
    void sysTopicsAreNotWrittenToTheStore() {
        InMemorySessionStore sessionStore = new InMemorySessionStore();
        store = sessionStore;
        BrokerEngine engine = startWithSysTopics(NEVER_DURING_A_TEST);
        TestClient publisher = client("pub");
        publisher.connect(MQTT_5, true);
        publisher.publish("status/a", "up", QoS.AT_LEAST_ONCE, true);
        engine.sysTopics().publishRound();
        assertTrue(engine.retainedMessageCount() > 40, "the $SYS topics are retained in memory");
        assertEquals(1, sessionStore.retainedCount(), "only the client's retained message is stored");
    }
}
