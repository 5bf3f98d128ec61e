import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LlmModule } from '../llm/llm.module';
import { SemanticModule } from '../semantic/semantic.module';
import { HealthController } from './health.controller';

@Module({
  // Failing probes are reported in the response and in metrics; logging each one would repeat
  // the same line every few seconds for the length of an outage.
  imports: [TerminusModule.forRoot({ logger: false }), LlmModule, SemanticModule],
  controllers: [HealthController],
})
export class HealthModule {}
