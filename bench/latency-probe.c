/*
 * End-to-end latency of a broker, measured with librdkafka on both ends of one
 * process so that the client adds little jitter and both ends read one clock.
 *
 *   latency-probe <bootstrap> <topic> <records per second> <seconds> <warm-up seconds>
 *
 * A producer (acks=all, linger.ms=0) sends 100-byte records to partition 0 of
 * <topic> at a fixed rate; each value starts with its send time (CLOCK_MONOTONIC,
 * nanoseconds) and its sequence number. A consumer thread, assigned to partition 0
 * from the beginning (fetch.wait.max.ms=5), takes receive time minus send time.
 * Prints the latency of every record sent after the warm-up, in microseconds, one
 * a line, once all records are received, and on stderr how far the sender fell
 * behind its schedule at most ("max send lag <microseconds> us": when the machine
 * cannot keep the rate, the latencies measure the machine). Exit status: 0 when
 * every record was acknowledged and received, 1 otherwise (the reason on stderr).
 */
#include "rdkafka.h" /* librdkafka 2.15, from the kafka-javascript build (see test/helpers/interop-tools.ts) */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VALUE_BYTES 100

static long total;
static long warmup;
static double *latency_us;
static volatile long received;
static volatile int consumer_failed;
static long delivered;
static long delivery_failures;

static int64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
        char errstr[512];
        if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                fprintf(stderr, "config %s: %s\n", name, errstr);
                exit(1);
        }
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
        (void)rk;
        (void)opaque;
        if (m->err) {
                if (delivery_failures++ == 0) fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(m->err));
        } else {
                delivered++;
        }
}

struct consumer_args {
        rd_kafka_t *rk;
        int64_t deadline_ns;
};

static void *consume(void *arg) {
        struct consumer_args *a = arg;
        while (received < total && now_ns() < a->deadline_ns) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(a->rk, 100);
                if (!m) continue;
                int64_t at = now_ns();
                if (m->err) {
                        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                                fprintf(stderr, "consume failed: %s\n", rd_kafka_message_errstr(m));
                                consumer_failed = 1;
                        }
                } else if (m->len == VALUE_BYTES) {
                        int64_t sent;
                        int64_t seq;
                        memcpy(&sent, m->payload, 8);
                        memcpy(&seq, (const char *)m->payload + 8, 8);
                        if (seq >= warmup && seq < total) latency_us[seq - warmup] = (double)(at - sent) / 1000.0;
                        received++;
                }
                rd_kafka_message_destroy(m);
                if (consumer_failed) break;
        }
        return NULL;
}

int main(int argc, char **argv) {
        if (argc != 6) {
                fprintf(stderr, "usage: latency-probe <bootstrap> <topic> <records per second> <seconds> <warm-up seconds>\n");
                return 1;
        }
        const char *topic = argv[2];
        long rate = atol(argv[3]);
        double seconds = atof(argv[4]);
        double warmup_seconds = atof(argv[5]);
        if (rate <= 0 || seconds <= 0 || warmup_seconds < 0) {
                fprintf(stderr, "rate and seconds must be positive\n");
                return 1;
        }
        warmup = (long)(rate * warmup_seconds);
        total = warmup + (long)(rate * seconds);
        latency_us = calloc((size_t)(total - warmup), sizeof(double));
        if (!latency_us) {
                fprintf(stderr, "out of memory\n");
                return 1;
        }
        char errstr[512];

        rd_kafka_conf_t *pconf = rd_kafka_conf_new();
        set(pconf, "bootstrap.servers", argv[1]);
        set(pconf, "acks", "all");
        set(pconf, "linger.ms", "0");
        set(pconf, "queue.buffering.max.messages", "1000000");
        rd_kafka_conf_set_dr_msg_cb(pconf, on_delivery);
        rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, errstr, sizeof(errstr));
        if (!producer) {
                fprintf(stderr, "producer: %s\n", errstr);
                return 1;
        }

        rd_kafka_conf_t *cconf = rd_kafka_conf_new();
        set(cconf, "bootstrap.servers", argv[1]);
        set(cconf, "group.id", "latency-probe");
        set(cconf, "enable.auto.commit", "false");
        /* The broker answers a fetch as soon as records arrive; this bounds only an empty wait. */
        set(cconf, "fetch.wait.max.ms", "5");
        rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cconf, errstr, sizeof(errstr));
        if (!consumer) {
                fprintf(stderr, "consumer: %s\n", errstr);
                return 1;
        }
        rd_kafka_poll_set_consumer(consumer);
        rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(assignment, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_resp_err_t err = rd_kafka_assign(consumer, assignment);
        rd_kafka_topic_partition_list_destroy(assignment);
        if (err) {
                fprintf(stderr, "assign: %s\n", rd_kafka_err2str(err));
                return 1;
        }

        int64_t start = now_ns();
        struct consumer_args cargs = { consumer, start + (int64_t)((warmup_seconds + seconds + 30) * 1e9) };
        pthread_t consumer_thread;
        pthread_create(&consumer_thread, NULL, consume, &cargs);

        char value[VALUE_BYTES];
        memset(value, 'x', sizeof(value));
        int64_t max_lag = 0;
        for (long seq = 0; seq < total; seq++) {
                /* Record seq is due at start + seq / rate: sleep until then, unless behind. */
                int64_t due = start + (int64_t)((double)seq * 1e9 / (double)rate);
                struct timespec ts = { (time_t)(due / 1000000000), (long)(due % 1000000000) };
                while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
                }
                int64_t sent = now_ns();
                if (sent - due > max_lag) max_lag = sent - due;
                memcpy(value, &sent, 8);
                memcpy(value + 8, &seq, 8);
                for (;;) {
                        err = rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0), RD_KAFKA_V_VALUE(value, sizeof(value)),
                                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
                        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
                        rd_kafka_poll(producer, 1);
                }
                if (err) {
                        fprintf(stderr, "produce: %s\n", rd_kafka_err2str(err));
                        return 1;
                }
                rd_kafka_poll(producer, 0);
        }
        rd_kafka_flush(producer, 30000);
        fprintf(stderr, "max send lag %.1f us\n", (double)max_lag / 1000.0);
        pthread_join(consumer_thread, NULL);

        int ok = 1;
        if (delivered != total) {
                fprintf(stderr, "%ld of %ld records acknowledged (%ld failed)\n", delivered, total, delivery_failures);
                ok = 0;
        }
        if (received != total) {
                fprintf(stderr, "%ld of %ld records received\n", received, total);
                ok = 0;
        }
        if (ok)
                for (long i = 0; i < total - warmup; i++) printf("%.1f\n", latency_us[i]);
        rd_kafka_consumer_close(consumer);
        rd_kafka_destroy(consumer);
        rd_kafka_destroy(producer);
        return ok && !consumer_failed ? 0 : 1;
}
