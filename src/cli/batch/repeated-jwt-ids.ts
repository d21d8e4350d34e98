/**
 * Finds jti values that more than one row gives. Qlik Cloud accepts a jti once, so of two tokens with
 * the same jti only the first can log in. Only jtis that rows give are kept (minted ones are random),
 * and at most `limit` of them, so memory stays bounded however long the input.
 */
export class RepeatedJwtIds {
  private readonly firstLine = new Map<string, number>();
  private readonly repeats = new Map<string, number[]>();
  private overflow = false;

  constructor(private readonly limit = 1_000_000) {}

  add(line: number, jti: string): void {
    const first = this.firstLine.get(jti);
    if (first !== undefined) {
      const lines = this.repeats.get(jti);
      if (lines) lines.push(line);
      else this.repeats.set(jti, [first, line]);
    } else if (this.firstLine.size < this.limit) {
      this.firstLine.set(jti, line);
    } else {
      this.overflow = true;
    }
  }

  /** Warning lines for stderr: one per repeated jti (the first `shown`), then what was left out. */
  warnings(shown = 10): string[] {
    const lines: string[] = [];
    for (const [jti, at] of [...this.repeats].slice(0, shown)) {
      lines.push(
        `qs-jwt: warning: jti ${JSON.stringify(jti)} is on lines ${at.join(', ')}: Qlik Cloud accepts a jti once, ` +
          'so only the first of these tokens can log in; give each row its own jti, or leave jti out for a random one',
      );
    }
    const more = this.repeats.size - shown;
    if (more > 0) lines.push(`qs-jwt: warning: ${more} more jti values are repeated`);
    if (this.overflow) {
      lines.push(`qs-jwt: note: only the first ${this.limit} distinct jti values were checked for repeats`);
    }
    return lines;
  }
}
