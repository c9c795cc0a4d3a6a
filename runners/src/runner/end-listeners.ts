/**
 * Listeners for how a Deno process ends that stay behind the task's own: used by the exit guard
 * (in the runner's process and, preloaded, in a task's own) and by direct mode's reports.
 */

/**
 * The runner's listeners for how the process ends (`unload`, `error`, `unhandledrejection`),
 * kept behind every listener the task adds for the same event, so they see what the task's own
 * decided: a prevented error, a changed exit code. A listener added while that event is being
 * dispatched is not called for it (as the DOM has it), so the runner's moves behind it only once
 * the dispatch is over.
 */
export const endListeners = (() => {
  const proto = EventTarget.prototype;
  const add = proto.addEventListener;
  const remove = proto.removeEventListener;
  const tails = new Map<string, EventListener>();
  const dispatching = new Set<string>();
  const pending = new Set<string>();
  const moveLast = (type: string) => {
    const tail = tails.get(type);
    if (tail === undefined) return;
    if (dispatching.has(type)) {
      pending.add(type);
      return;
    }
    remove.call(globalThis, type, tail);
    add.call(globalThis, type, tail);
  };
  const settle = (type: string) => {
    dispatching.delete(type);
    if (pending.delete(type)) moveLast(type);
  };
  let patched = false;
  return (type: string, listener: (event: Event) => void) => {
    if (!patched) {
      patched = true;
      proto.addEventListener = function (
        this: EventTarget | undefined,
        ...args: Parameters<EventTarget["addEventListener"]>
      ) {
        add.apply(this as EventTarget, args);
        // A bare addEventListener(...) call has no `this`: it is the global scope's.
        if ((this ?? globalThis) === globalThis) moveLast(args[0]);
      };
    }
    // First of all listeners (never moved): marks the dispatch; settled after it at the latest.
    add.call(globalThis, type, () => {
      dispatching.add(type);
      queueMicrotask(() => settle(type));
    });
    const tail = (event: Event) => {
      listener(event);
      settle(type);
    };
    tails.set(type, tail);
    add.call(globalThis, type, tail);
  };
})();
