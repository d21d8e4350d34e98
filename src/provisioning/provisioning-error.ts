/**
 * A setup or doctor step that failed on the Qlik side or on the way there (network, TLS, HTTP status,
 * refused write). The message is one line naming the cause; adapters show it as it is (exit 1).
 */
export class ProvisioningError extends Error {
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.name = 'ProvisioningError';
    this.status = status;
  }
}
