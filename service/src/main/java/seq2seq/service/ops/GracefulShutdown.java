package seq2seq.service.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIGTERM and SIGINT (Ctrl-C) handling for a long-running command. The first signal only asks the command to stop:
 * it returns from {@link #await()}, closes what it runs (Kafka Streams commits what is done; requests still in the
 * batch buffer stay in its changelog for whoever takes the partition over) and exits 0. A second signal, or a stop
 * that takes longer than the grace period, halts the process at once.
 * <p>
 * Why not a shutdown hook: the JVM reports 143/130 for a process ended by a signal even when its hooks finish
 * cleanly, and it ignores further signals while the hooks run, so a hung close could not be cut short.
 */
public final class GracefulShutdown {
    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);
    /** exit status when a second signal or the watchdog ends the process */
    public static final int EXIT_FORCED = 130;

    /** released by the first signal or by {@link #request} */
    private final CountDownLatch requested = new CountDownLatch(1);
    /** signals received so far */
    private final AtomicInteger signals = new AtomicInteger();
    /** longest the stop may take before the watchdog halts the process */
    private final Duration grace;

    private GracefulShutdown(Duration grace) {
        this.grace = grace;
    }

    /** Takes over SIGTERM and SIGINT for this process. */
    public static GracefulShutdown install(Duration grace) {
        GracefulShutdown g = new GracefulShutdown(grace);
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), g::onSignal);
            } catch (IllegalArgumentException e) {
                // this platform or JVM (-Xrs) does not let us handle it: the JVM's default applies
                log.warn("cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
        return g;
    }

    private void onSignal(Signal signal) {
        if (signals.incrementAndGet() == 1) {
            log.info("SIG{} received: stopping gracefully (send it again to force)", signal.getName());
            request("SIG" + signal.getName());
        } else {
            log.warn("SIG{} received again: exiting now", signal.getName());
            Runtime.getRuntime().halt(EXIT_FORCED);
        }
    }

    /** Asks the command to stop (a signal does this; so may a fatal state), and arms the watchdog. */
    public void request(String why) {
        if (requested.getCount() == 0) {
            return;
        }
        requested.countDown();
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(grace.toMillis());
                log.error("stopping ({}) took longer than {} ms: exiting now", why, grace.toMillis());
                Runtime.getRuntime().halt(EXIT_FORCED);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    public boolean isRequested() {
        return requested.getCount() == 0;
    }

    /** Blocks until a stop is requested. */
    public void await() throws InterruptedException {
        requested.await();
    }

    /** Blocks until a stop is requested or the time is up; true if requested. */
    public boolean await(Duration timeout) throws InterruptedException {
        return requested.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
