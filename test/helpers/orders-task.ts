// The task of the `consume` tests: it waits for a message on orders.* whose total is 100 or more
// (or an hour), keeps the message it took, and fails into `broken` when the consume fails.
export const ORDERS_TASK = `
version: 1
name: orders
start: wait
states:
  wait:
    on:
      - to: big
        consume: { connection: "{{ secrets.NATS_URL }}", subject: "orders.*" }
        when: "event.data.total >= 100"
      - to: expired
        after: 1h
    catch:
      - { to: broken, error: consume }
  big:
    do:
      - set: { order: "={{ event.data }}", from: "={{ event.name }}", source: "={{ event.headers.\`X-Source\` }}" }
    next: done
  done: { final: true }
  expired: { final: true, status: failed }
  broken: { final: true, status: failed }
`;
