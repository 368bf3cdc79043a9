/*
 * A librdkafka share consumer (KIP-932) for the interop tests: subscribes to
 * one topic in a share group with explicit acknowledgement and prints one line
 * per record received: "<partition> <offset> <delivery count> <value>".
 *
 *   share-consume <bootstrap> <group> <topic> <records> <mode> [<seconds>]
 *
 * It stops after acknowledging <records> records as accepted, or after
 * <seconds> (default 30) without reaching that. Modes:
 *   accept         accept every record
 *   release-first  release a record delivered for the first time, accept later deliveries
 *   reject-odd     reject records whose value ends in an odd digit, accept the rest
 *   release-all    release every record (each release counts towards <records>)
 *   hold           acknowledge nothing; after the first batch, print "held" and wait to be killed
 * Environment: SHARE_CONSUME_MAX_POLL_RECORDS sets max.poll.records (the ShareFetch MaxRecords),
 * SHARE_CONSUME_DEBUG librdkafka's debug contexts.
 * SIGTERM stops it as if <records> were reached: it commits its acknowledgements and closes.
 * Exit status: 0 when <records> were accepted or SIGTERM came (hold: never), 2 on a timeout, 1 on an error.
 */
#include "rdkafka.h" /* librdkafka 2.15, from the kafka-javascript build (see interop-tools.ts) */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stopping = 0;

static void on_term(int sig) {
        (void)sig;
        stopping = 1;
}

static void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
        char errstr[512];
        if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                fprintf(stderr, "config %s: %s\n", name, errstr);
                exit(1);
        }
}

static int ends_odd(const rd_kafka_message_t *m) {
        if (m->len == 0) return 0;
        char last = ((const char *)m->payload)[m->len - 1];
        return last >= '0' && last <= '9' && (last - '0') % 2 == 1;
}

int main(int argc, char **argv) {
        if (argc < 6) {
                fprintf(stderr, "usage: share-consume <bootstrap> <group> <topic> <records> <mode> [<seconds>]\n");
                return 1;
        }
        const char *mode = argv[5];
        long wanted = atol(argv[4]);
        int seconds = argc > 6 ? atoi(argv[6]) : 30;
        char errstr[512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        set(conf, "bootstrap.servers", argv[1]);
        set(conf, "group.id", argv[2]);
        set(conf, "share.acknowledgement.mode", "explicit");
        set(conf, "client.id", "share-consume");
        if (getenv("SHARE_CONSUME_DEBUG")) set(conf, "debug", getenv("SHARE_CONSUME_DEBUG"));
        if (getenv("SHARE_CONSUME_MAX_POLL_RECORDS")) set(conf, "max.poll.records", getenv("SHARE_CONSUME_MAX_POLL_RECORDS"));
        rd_kafka_share_t *share = rd_kafka_share_consumer_new(conf, errstr, sizeof(errstr));
        if (!share) {
                fprintf(stderr, "share consumer: %s\n", errstr);
                return 1;
        }
        rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(topics, argv[3], RD_KAFKA_PARTITION_UA);
        rd_kafka_resp_err_t err = rd_kafka_share_subscribe(share, topics);
        rd_kafka_topic_partition_list_destroy(topics);
        if (err) {
                fprintf(stderr, "subscribe: %s\n", rd_kafka_err2str(err));
                return 1;
        }
        signal(SIGTERM, on_term);
        long accepted = 0;
        time_t deadline = time(NULL) + seconds;
        int status = 2;
        while (time(NULL) < deadline) {
                rd_kafka_messages_t *batch = NULL;
                rd_kafka_error_t *error = rd_kafka_share_poll(share, 200, &batch);
                if (error) {
                        fprintf(stderr, "poll: %s\n", rd_kafka_error_string(error));
                        rd_kafka_error_destroy(error);
                        continue;
                }
                size_t n = batch ? rd_kafka_messages_count(batch) : 0;
                for (size_t i = 0; i < n; i++) {
                        rd_kafka_message_t *m = rd_kafka_messages_get(batch, i);
                        if (m->err) {
                                fprintf(stderr, "record error: %s\n", rd_kafka_message_errstr(m));
                                continue;
                        }
                        int16_t count = rd_kafka_message_delivery_count(m);
                        printf("%d %lld %d %.*s\n", (int)m->partition, (long long)m->offset, (int)count, (int)m->len, (const char *)m->payload);
                        rd_kafka_share_AcknowledgeType_t type = RD_KAFKA_SHARE_ACKNOWLEDGE_TYPE_ACCEPT;
                        if (!strcmp(mode, "release-first") && count == 1) type = RD_KAFKA_SHARE_ACKNOWLEDGE_TYPE_RELEASE;
                        if (!strcmp(mode, "reject-odd") && ends_odd(m)) type = RD_KAFKA_SHARE_ACKNOWLEDGE_TYPE_REJECT;
                        if (!strcmp(mode, "release-all")) {
                                type = RD_KAFKA_SHARE_ACKNOWLEDGE_TYPE_RELEASE;
                                accepted++;
                        }
                        if (strcmp(mode, "hold")) {
                                rd_kafka_share_acknowledge_type(share, m, type);
                                if (type == RD_KAFKA_SHARE_ACKNOWLEDGE_TYPE_ACCEPT) accepted++;
                        }
                }
                fflush(stdout);
                rd_kafka_messages_destroy(batch);
                if (!strcmp(mode, "hold") && n > 0) {
                        printf("held\n");
                        fflush(stdout);
                        for (;;) pause();
                }
                if (accepted >= wanted || stopping) {
                        status = 0;
                        break;
                }
        }
        rd_kafka_topic_partition_list_t *results = NULL;
        rd_kafka_error_t *error = rd_kafka_share_commit_sync(share, 10000, &results);
        if (error) {
                fprintf(stderr, "commit: %s\n", rd_kafka_error_string(error));
                rd_kafka_error_destroy(error);
                status = 1;
        }
        if (results) {
                for (int i = 0; i < results->cnt; i++) {
                        if (results->elems[i].err) {
                                fprintf(stderr, "commit %s [%d]: %s\n", results->elems[i].topic, (int)results->elems[i].partition, rd_kafka_err2str(results->elems[i].err));
                                status = 1;
                        }
                }
                rd_kafka_topic_partition_list_destroy(results);
        }
        rd_kafka_share_consumer_close(share);
        rd_kafka_share_destroy(share);
        return status;
}
