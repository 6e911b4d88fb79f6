/** Only same-site paths, so `next=` parameters cannot become open redirects. */
export function safeNext(next: unknown, fallback = "/"): string {
  return typeof next === "string" && /^\/(?![/\\])[^\s]*$/.test(next) ? next : fallback;
}
