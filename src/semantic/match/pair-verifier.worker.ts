import { serveInWorker } from '../../../libs/worker-pool';
import { OnnxPairVerifier, OnnxPairVerifierOptions } from './onnx.pair-verifier';
import { VerifyRequest } from './worker-thread.pair-verifier';

serveInWorker(async (options: OnnxPairVerifierOptions) => {
  const verifier = new OnnxPairVerifier({ ...options, threads: 1 });
  await verifier.load();
  return {
    info: { modelId: verifier.modelId },
    handle: async ({ query, stored }: VerifyRequest) =>
      (await verifier.verify(query, stored)).buffer as ArrayBuffer,
    transfer: (buffer: ArrayBuffer) => [buffer],
  };
});
