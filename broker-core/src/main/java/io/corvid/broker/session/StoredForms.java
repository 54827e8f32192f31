package io.corvid.broker.session;

import io.corvid.broker.SessionStore.StoredMessage;
import io.corvid.broker.SessionStore.StoredSubscription;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Converts between the session's objects and the store's records. */
final class StoredForms {
    private StoredForms() {
    }

    static StoredMessage toStored(Delivery delivery, int packetId, boolean released) {
        Message message = delivery.message();
        return new StoredMessage(delivery.sequence(), message.topic(), message.payload(), delivery.qos(),
                delivery.retain(), message.properties(), message.publisherId(), message.expiresAtMillis(),
                delivery.subscriptionIdentifiers(), packetId, released);
    }

    static Delivery fromStored(StoredMessage stored) {
        Message message = new Message(stored.topic(), stored.payload(), stored.qos(), stored.retain(),
                stored.properties(), stored.publisherId(), stored.expiresAtMillis());
        return new Delivery(message, stored.qos(), stored.retain(), stored.subscriptionIdentifiers(), stored.sequence(), null);
    }

    static List<StoredSubscription> toStored(Collection<SubscriptionRecord> records) {
        List<StoredSubscription> list = new ArrayList<>(records.size());
        for (SubscriptionRecord record : records) {
            list.add(new StoredSubscription(record.subscription(), record.subscriptionIdentifier()));
        }
        return list;
    }
}
