package io.corvid.broker.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A window on a long list, from {@code ?offset=&limit=}: a broker may have tens of thousands of
 * clients, more than a response should carry.
 *
 * @param offset how many entries to skip
 * @param limit  the most entries to return
 */
record Page(int offset, int limit) {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 10_000;

    /**
     * The window a request asks for; {@link #DEFAULT_LIMIT} entries from the first by default.
     *
     * @throws ApiException 400 for a value that is not a number in range
     */
    static Page of(ApiRequest request) {
        return new Page(number(request, "offset", 0, 0, Integer.MAX_VALUE),
                number(request, "limit", DEFAULT_LIMIT, 0, MAX_LIMIT));
    }

    private static int number(ApiRequest request, String name, int absent, int min, int max) {
        String text = request.query(name);
        if (text == null) {
            return absent;
        }
        int value;
        try {
            value = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + " must be a whole number, not '" + text + "'");
        }
        if (value < min || value > max) {
            throw ApiException.badRequest(name + " must be between " + min + " and " + max + ", not " + value);
        }
        return value;
    }

    /**
     * {@code {"total": n, "offset": o, "limit": l, <name>: [...]}} with this window of {@code all}.
     */
    <T> Map<String, Object> window(String name, List<T> all) {
        int from = Math.min(offset, all.size());
        int to = (int) Math.min((long) from + limit, all.size());
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("total", all.size());
        page.put("offset", offset);
        page.put("limit", limit);
        page.put(name, all.subList(from, to));
        return page;
    }
}
