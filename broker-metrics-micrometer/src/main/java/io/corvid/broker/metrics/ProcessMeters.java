package io.corvid.broker.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process around the broker: Micrometer's JVM binders (heap and non-heap memory, buffer pools
 * with direct memory, garbage collection, threads, CPU, uptime) and the memory of the Netty
 * allocator the transport reads and writes with.
 *
 * <p>The transport takes its buffers from its channels' allocator, {@code ctx.alloc()}, which is
 * Netty's {@link ByteBufAllocator#DEFAULT} (the transport sets no other). Since Netty 4.2 that is
 * the adaptive allocator, not {@code PooledByteBufAllocator.DEFAULT} (which is what it is when
 * {@code -Dio.netty.allocator.type=pooled} is set); binding the pooled one would report an
 * allocator nobody uses.
 *
 * <p>An application that binds the JVM metrics itself already (Spring Boot does) needs only
 * {@link CorvidMetrics}: binding {@link JvmGcMetrics} twice would count every collection twice.
 * Close it to remove its garbage collection listener.
 */
public final class ProcessMeters implements MeterBinder, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessMeters.class);

    private final JvmGcMetrics gc = new JvmGcMetrics();

    @Override
    public void bindTo(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        ByteBufAllocator transportAllocator = ByteBufAllocator.DEFAULT;
        if (transportAllocator instanceof ByteBufAllocatorMetricProvider provider) {
            new NettyAllocatorMetrics(provider).bindTo(registry);
        } else {
            LOG.debug("Netty's default allocator ({}) reports no metrics", transportAllocator.getClass().getName());
        }
    }

    /** Removes the garbage collection listener. */
    @Override
    public void close() {
        gc.close();
    }
}
