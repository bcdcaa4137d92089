#!/usr/bin/env python3
"""Per-event budget of a replay from a perf profile with call stacks.

    perf record -F 1999 --call-graph dwarf,16384 -o replay.data -- bench_replay ... --expect-events N
    perf script -i replay.data -F comm,tid,period,ip,sym,dso > replay.script
    bench/profile/budget.py replay.script --events N [--cpu-us-per-event X]

Each sample goes to one step: allocation when its innermost frame is in the allocator (or a page
fault), else the step of the innermost frame that names one (memcpy and the like count for their
caller). The samples before the first replay page (process start, the first connections) are
counted too, as "other". Prints a Markdown table: step, share of the samples and, with
--cpu-us-per-event (the run's measured CPU per event), microseconds per event.
"""
import argparse
import re
import sys
from collections import Counter

# (step, pattern over one frame's "symbol (dso)"), innermost frame first; order breaks ties.
LEAF_STEPS = [
    ("allocation (malloc/free, page faults of new heap)",
     r"\b(_int_malloc|malloc|cfree|_int_free|unlink_chunk|malloc_consolidate|_int_realloc|"
     r"realloc|tcache_|operator new|operator delete|sysmalloc|systrim|__libc_free|"
     r"tcache_get|tcache_put|__GI___libc_free|__GI___libc_malloc)\b"),
]
STEPS = [
    ("socket reads (recv, kernel included)",
     r"(__libc_recv|non_blocking_recv)"),
    ("socket writes (send, kernel included)",
     r"(__libc_send|non_blocking_send|\bwritev\b|__libc_write)"),
    ("signing (SigV4, SHA-256 of the body)", r"(sigv4|sha256|SHA256|hmac|EVP_|canonical_request)"),
    ("response checksum (x-amz-crc32)", r"(dynamodb::crc32|dynamodb::\(anonymous namespace\)::fold)"),
    ("item decoding (BatchGetItem body to events)",
     r"(decode_batch_get_events|json_scanner|events_handler|event_from_attributes|classify_json|"
     r"parse_iso8601)"),
    ("index page decoding (Query body to keys: DOM, std::map items)",
     r"(parse_query_result|parse_item_page|parse_item_at|item_list|response_document|parse_body|"
     r"index_key_of|dynamodb::detail::attribute_from|boost::json::)"),
    ("request building (keys, JSON bodies)",
     r"(to_body|append_json|append_wire_json|primary_key_of|keys_and_attributes|bucket_query|"
     r"batch_get_item_request|attribute_value)"),
    ("HTTP (Beast parser, read/write ops)", r"(boost::beast|evstore::http::)"),
    ("replay pipeline (merge, order, channels, hydration)",
     r"(evstore::replay|bucket_merge|bucket_orderer|segment_reader|sort_in_replay_order|"
     r"replays_before|hydrate|batch_get|concurrent_channel|channel_service|evstore::event)"),
    ("executor, strand, coroutine frames, epoll",
     r"(boost::asio::|epoll_wait|vdso|clock_gettime|pthread_mutex)"),
]
LEAF = [(name, re.compile(p)) for name, p in LEAF_STEPS]
COMPILED = [(name, re.compile(p)) for name, p in STEPS]
OTHER = "other"


def samples(path):
    stack = []
    with open(path, errors="replace") as lines:
        for line in lines:
            if not line.strip():
                if stack:
                    yield stack
                stack = []
            elif line.startswith(("\t", " ")):
                stack.append(line.strip())
    if stack:
        yield stack


def in_kernel(frame):
    return "[kernel.kallsyms]" in frame


def step_of(stack):
    # Kernel work counts for the call that entered the kernel: a page fault is allocation (new
    # heap pages), the rest goes to the innermost user frame's step (recv, send, epoll_wait,
    # malloc's brk).
    user = [frame for frame in stack if not in_kernel(frame)]
    if any("asm_exc_page_fault" in frame for frame in stack if in_kernel(frame)):
        return LEAF_STEPS[0][0]
    if not user:
        return OTHER
    for name, pattern in LEAF:
        if pattern.search(user[0]):
            return name
    for frame in user:
        for name, pattern in COMPILED:
            if pattern.search(frame):
                return name
    return OTHER


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("script")
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--cpu-us-per-event", type=float)
    args = parser.parse_args()
    counts = Counter(step_of(stack) for stack in samples(args.script))
    total = sum(counts.values())
    if total == 0:
        sys.exit("no samples")
    order = [name for name, _ in LEAF_STEPS + STEPS] + [OTHER]
    print("| step | share | us per event |")
    print("|---|---|---|")
    for name in sorted(order, key=lambda n: -counts[n]):
        share = counts[name] / total
        us = f"{share * args.cpu_us_per_event:.2f}" if args.cpu_us_per_event else ""
        print(f"| {name} | {share * 100:.1f} % | {us} |")
    us = f"{args.cpu_us_per_event:.2f}" if args.cpu_us_per_event else ""
    print(f"| total ({total} samples, {args.events} events) | 100 % | {us} |")


if __name__ == "__main__":
    main()
