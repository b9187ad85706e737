// The parts of autocannon 8 the benchmark uses (the package ships no types).
declare module 'autocannon' {
  export type RequestParams = {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
  };
  export type Context = Record<string, unknown>;
  export type Request = RequestParams & {
    setupRequest?: (request: RequestParams, context: Context) => RequestParams | null | undefined;
    onResponse?: (status: number, body: string, context: Context, headers: Record<string, string | string[]>) => void;
  };
  export type Options = RequestParams & {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    overallRate?: number;
    timeout?: number;
    pipelining?: number;
    requests?: Request[];
  };
  export type Histogram = {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p99: number;
  };
  export type Result = {
    duration: number;
    start: Date;
    finish: Date;
    connections: number;
    latency: Histogram;
    requests: Histogram & { sent: number };
    throughput: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    '1xx': number;
    '2xx': number;
    '3xx': number;
    '4xx': number;
    '5xx': number;
  };
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
