import type { Scheduler } from '../common/scheduler.js';
import type { RequestProcessor } from '../remoting/remoting-channel.js';
import { RequestCode } from '../remoting/request-code.js';
import { ResponseCode } from '../remoting/response-code.js';
import type { BrokerContext } from './broker-context.js';
import { EndTransactionProcessor } from './processor/end-transaction-processor.js';
import { ReplyMessageProcessor } from './processor/reply-message-processor.js';
import { ScheduleMessageService } from './schedule/schedule-message-service.js';
import { TransactionalMessageCheckService } from './transaction/transactional-message-check-service.js';

interface ProcessorRegistry {
  registerProcessor(code: number, processor: RequestProcessor): void;
}

/**
 * The broker's advanced messaging services (issue 9), wired in one place so the controller only calls
 * registerProcessors / start / shutdown: delay levels (ScheduleMessageService, GET_ALL_DELAY_OFFSET),
 * transactions (END_TRANSACTION, TransactionalMessageCheckService) and request/reply
 * (SEND_REPLY_MESSAGE(_V2)). The timers run on masters only, as in 4.9.8.
 */
export class AdvancedMessaging {
  private schedule: ScheduleMessageService | undefined;
  private readonly check: TransactionalMessageCheckService;

  constructor(
    private readonly ctx: BrokerContext,
    private readonly scheduler: Scheduler,
  ) {
    this.check = new TransactionalMessageCheckService(ctx, scheduler);
  }

  get scheduleMessageService(): ScheduleMessageService | undefined {
    return this.schedule;
  }

  registerProcessors(server: ProcessorRegistry, gate: (p: RequestProcessor) => RequestProcessor): void {
    server.registerProcessor(
      RequestCode.END_TRANSACTION,
      gate(new EndTransactionProcessor(this.ctx).process),
    );
    const reply = gate(new ReplyMessageProcessor(this.ctx).process);
    server.registerProcessor(RequestCode.SEND_REPLY_MESSAGE, reply);
    server.registerProcessor(RequestCode.SEND_REPLY_MESSAGE_V2, reply);
    // AdminBrokerProcessor.getAllDelayOffset: the in-memory table, encoded as delayOffset.json
    server.registerProcessor(
      RequestCode.GET_ALL_DELAY_OFFSET,
      gate((req) =>
        req.createResponse(
          ResponseCode.SUCCESS,
          null,
          undefined,
          Buffer.from(this.schedule?.encode() ?? '{"offsetTable":{}}'),
        ),
      ),
    );
  }

  /** After the store is loaded and started. */
  async start(): Promise<void> {
    const root = this.ctx.storeConfig.storePathRootDir;
    const stats = this.ctx.brokerStatsManager;
    this.schedule = new ScheduleMessageService(
      this.ctx.messageStore,
      root,
      this.scheduler,
      stats && ((topic, level, wroteBytes) => stats.incScheduleDelivered(topic, level, wroteBytes)),
    );
    await this.schedule.load();
    if (!this.ctx.isSlave()) {
      this.schedule.start();
      this.check.start();
    }
  }

  /** Before the store shuts down: persists delay offsets. */
  async shutdown(): Promise<void> {
    this.check.shutdown();
    await this.schedule?.shutdown();
  }
}
