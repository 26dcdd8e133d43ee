interface Group {
  /** Settles when the last message queued in the group has had its turn. */
  tail: Promise<void>;
  /** A message of the group did not leave its queue: the rest still here go back unprocessed. */
  blocked: boolean;
  waiting: number;
}

/**
 * Keeps the order of FIFO message groups within one consumer, Lambda or
 * polling: the messages of a group run one after the other, in the order
 * received, and once one fails (does not leave its queue) the rest of its
 * group held here are released unprocessed, so SQS delivers the group again
 * in order when the failed message comes back. Different groups run side by side.
 */
export class MessageGroups {
  private readonly groups = new Map<string, Group>();

  /**
   * Queues a message of `groupId`: `work` runs it when its turn comes and
   * resolves to whether it left its queue; `release` gives it back instead
   * when an earlier message of the group did not.
   */
  run(groupId: string, work: () => Promise<boolean>, release: () => Promise<void>): Promise<void> {
    let group = this.groups.get(groupId);
    if (!group) {
      group = { tail: Promise.resolve(), blocked: false, waiting: 0 };
      this.groups.set(groupId, group);
    }
    const current = group;
    current.waiting += 1;
    const turn = current.tail
      .then(async () => {
        if (current.blocked) await release();
        else if (!(await work())) current.blocked = true;
      })
      .finally(() => {
        current.waiting -= 1;
        // Once drained, the group starts afresh: SQS sends its next messages only after the failed one.
        if (current.waiting === 0) this.groups.delete(groupId);
      });
    current.tail = turn.catch(() => void (current.blocked = true));
    return turn;
  }
}
