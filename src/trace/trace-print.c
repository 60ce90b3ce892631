/* trace-print.c: an event as the text of Go's Event.String(). */
#include "trace-print.h"
#include "trace-internal.h"

static void
quote(ta_buf *b, ta_str s)
{
  ta_go_quote(b, (const uint8_t *)s.ptr, s.len);
}

static void
print_string_arg(ta_buf *b, const ta_event *ev, uint64_t id)
{
  ta_str s;
  if (!ta_event_string(ev, id, &s))
    s = (ta_str){ "", 0 };
  quote(b, s);
}

static void
print_frames(ta_buf *b, const ta_event *ev, uint64_t stack)
{
  size_t n = ta_event_stack_depth(ev, stack);
  for (size_t i = 0; i < n; i++) {
    ta_frame f;
    if (!ta_event_stack_frame(ev, stack, i, &f))
      break;
    ta_buf_putc(b, '\t');
    ta_buf_append(b, f.func.ptr, f.func.len);
    ta_buf_printf(b, " @ 0x%llx\n\t\t", (unsigned long long)f.pc);
    ta_buf_append(b, f.file.ptr, f.file.len);
    ta_buf_printf(b, ":%llu\n", (unsigned long long)f.line);
  }
}

static void
print_scope(ta_buf *b, ta_resource_kind kind, int64_t id)
{
  static const char *const names[] = { "None", "Goroutine", "Proc", "Thread" };
  if (kind == TA_RESOURCE_NONE)
    ta_buf_printf(b, "None");
  else
    ta_buf_printf(b, "%s(%lld)", names[kind], (long long)id);
}

static void
print_range(ta_buf *b, const ta_event *ev)
{
  ta_buf_printf(b, " Name=");
  ta_resource_kind scope = TA_RESOURCE_NONE;
  int64_t id = 0;
  switch (ev->type) {
  case TA_EV_STW_BEGIN:
  case TA_EV_STW_END: {
    ta_str kind;
    if (!ta_event_string(ev, ev->args[0], &kind))
      kind = (ta_str){ "", 0 };
    ta_buf tmp = { 0 };
    ta_buf_printf(&tmp, "stop-the-world (");
    ta_buf_append(&tmp, kind.ptr, kind.len);
    ta_buf_putc(&tmp, ')');
    ta_go_quote(b, (const uint8_t *)tmp.data, tmp.len);
    ta_buf_free(&tmp);
    scope = TA_RESOURCE_GOROUTINE;
    id = ev->g;
    break;
  }
  case TA_EV_GC_BEGIN:
  case TA_EV_GC_ACTIVE:
  case TA_EV_GC_END:
    ta_buf_printf(b, "\"GC concurrent mark phase\"");
    break;
  case TA_EV_GC_SWEEP_BEGIN:
  case TA_EV_GC_SWEEP_ACTIVE:
  case TA_EV_GC_SWEEP_END:
    ta_buf_printf(b, "\"GC incremental sweep\"");
    scope = TA_RESOURCE_PROC;
    id = ev->type == TA_EV_GC_SWEEP_ACTIVE ? (int64_t)ev->args[0] : ev->p;
    break;
  default: /* mark assist */
    ta_buf_printf(b, "\"GC mark assist\"");
    scope = TA_RESOURCE_GOROUTINE;
    id = ev->type == TA_EV_GC_MARK_ASSIST_ACTIVE ? (int64_t)ev->args[0] : ev->g;
    break;
  }
  ta_buf_printf(b, " Scope=");
  print_scope(b, scope, id);
  if (ev->kind == TA_KIND_RANGE_END) {
    ta_buf_printf(b, " Attributes=[");
    if (ev->type == TA_EV_GC_SWEEP_END)
      ta_buf_printf(b, "\"bytes swept\"=Value{Uint64(%llu)} \"bytes reclaimed\"=Value{Uint64(%llu)}",
                    (unsigned long long)ev->args[0], (unsigned long long)ev->args[1]);
    ta_buf_putc(b, ']');
  }
}

static void
print_metric(ta_buf *b, const ta_event *ev)
{
  const char *name = ev->type == TA_EV_PROCS_CHANGE ? "/sched/gomaxprocs:threads"
                     : ev->type == TA_EV_HEAP_ALLOC ? "/memory/classes/heap/objects:bytes"
                                                    : "/gc/heap/goal:bytes";
  ta_buf_printf(b, " Name=\"%s\" Value=Value{Uint64(%llu)}", name, (unsigned long long)ev->args[0]);
}

static void
print_transition(ta_buf *b, const ta_event *ev)
{
  ta_transition t;
  ta_event_transition(ev, &t);
  if (t.resource == TA_RESOURCE_GOROUTINE)
    ta_buf_printf(b, " GoID=%lld %s->%s", (long long)t.id, ta_go_state_name(t.old_state),
                  ta_go_state_name(t.new_state));
  else
    ta_buf_printf(b, " ProcID=%lld %s->%s", (long long)t.id, ta_proc_state_name(t.old_state),
                  ta_proc_state_name(t.new_state));
  ta_buf_printf(b, " Reason=");
  quote(b, t.reason);
  if (t.has_stack) {
    ta_buf_printf(b, "\nTransitionStack=\n");
    print_frames(b, ev, t.stack_id);
  }
}

static void
print_sync(ta_buf *b, const ta_event *ev)
{
  ta_sync_info s;
  ta_event_sync(ev, &s);
  ta_buf_printf(b, " N=%llu", (unsigned long long)ev->sync_n);
  if (s.has_snapshot) {
    ta_buf_printf(b, " Trace=%lld Mono=%llu Wall=", (long long)s.trace_ns, (unsigned long long)s.mono);
    ta_go_time_utc(b, s.wall_sec, s.wall_nsec, true);
  }
}

static void
print_experimental(ta_buf *b, const ta_event *ev)
{
  const ta_spec *spec = ta_spec_get(26, ev->type);
  ta_buf_printf(b, " Name=%s Args=[", spec->name);
  for (unsigned i = 1; i < spec->n_args; i++)
    ta_buf_printf(b, "%s%s=Value{Uint64(%llu)}", i > 1 ? ", " : "", spec->args[i],
                  (unsigned long long)ev->args[i - 1]);
  ta_buf_putc(b, ']');
}

void
ta_print_event(ta_buf *b, const ta_event *ev)
{
  ta_buf_printf(b, "M=%lld P=%lld G=%lld %s Time=%lld", (long long)ev->m, (long long)ev->p,
                (long long)ev->g, ta_kind_name(ev->kind), (long long)ev->time);
  switch (ev->kind) {
  case TA_KIND_METRIC:
    print_metric(b, ev);
    break;
  case TA_KIND_LABEL:
    ta_buf_printf(b, " Label=");
    print_string_arg(b, ev, ev->args[0]);
    ta_buf_printf(b, " Resource=Goroutine(%lld)", (long long)ev->g);
    break;
  case TA_KIND_RANGE_BEGIN:
  case TA_KIND_RANGE_ACTIVE:
  case TA_KIND_RANGE_END:
    print_range(b, ev);
    break;
  case TA_KIND_TASK_BEGIN:
    ta_buf_printf(b, " ID=%llu Parent=%llu Type=", (unsigned long long)ev->args[0],
                  (unsigned long long)ev->args[1]);
    print_string_arg(b, ev, ev->args[2]);
    break;
  case TA_KIND_TASK_END:
    ta_buf_printf(b, " ID=%llu Parent=%llu Type=", (unsigned long long)ev->args[0],
                  (unsigned long long)ev->derived);
    quote(b, ev->task_type);
    break;
  case TA_KIND_REGION_BEGIN:
  case TA_KIND_REGION_END:
    ta_buf_printf(b, " Task=%llu Type=", (unsigned long long)ev->args[0]);
    print_string_arg(b, ev, ev->args[1]);
    break;
  case TA_KIND_LOG:
    ta_buf_printf(b, " Task=%llu Category=", (unsigned long long)ev->args[0]);
    print_string_arg(b, ev, ev->args[1]);
    ta_buf_printf(b, " Message=");
    print_string_arg(b, ev, ev->args[2]);
    break;
  case TA_KIND_STATE_TRANSITION:
    print_transition(b, ev);
    break;
  case TA_KIND_EXPERIMENTAL:
    print_experimental(b, ev);
    break;
  case TA_KIND_SYNC:
    print_sync(b, ev);
    break;
  default:
    break;
  }
  uint64_t stack = ta_event_stack_id(ev);
  /* A sample always has a stack handle (Go prints "Stack=" even for ID 0). */
  if (stack != 0 || ev->type == TA_EV_CPU_SAMPLE) {
    ta_buf_printf(b, "\nStack=\n");
    print_frames(b, ev, stack);
  }
}
