/**
 * What each audit action is called on the audit page, Swedish first. An
 * action missing here is shown by its code, so a new action is never hidden;
 * test/admin-it.test.ts checks that every action the code writes has a name.
 */
export const AUDIT_EVENT_NAMES: Record<string, readonly [sv: string, en: string]> = {
  "auth.login": ["Inloggning", "Signed in"],
  "auth.login_refused": ["Inloggning nekad", "Sign-in refused"],
  "auth.logout": ["Utloggning", "Signed out"],
  "settings.update": ["Inställningar ändrade", "Settings changed"],
  "group.update": ["Svarsgruppens inställningar ändrade", "Svarsgrupp settings changed"],
  "group.create": ["Svarsgrupp skapad", "Svarsgrupp created"],
  "group.rename": ["Svarsgrupp fick nytt namn", "Svarsgrupp renamed"],
  "group.hide": ["Svarsgrupp dold", "Svarsgrupp hidden"],
  "group.show": ["Svarsgrupp visas igen", "Svarsgrupp shown again"],
  "group.merge": ["Svarsgrupper sammanslagna", "Svarsgrupper merged"],
  "target.set": ["Mål satt", "Target set"],
  "target.delete": ["Mål borttaget", "Target deleted"],
  "user.create": ["Användare skapad", "User created"],
  "user.update": ["Användare ändrad", "User changed"],
  "user.disable": ["Användare avstängd", "User disabled"],
  "user.enable": ["Användare aktiverad", "User enabled"],
  "user.password-reset-link": ["Återställningslänk skapad", "Password-reset link made"],
  "user.password-reset": ["Lösenord bytt med länk", "Password changed with a link"],
  "user.sign-out-everywhere": ["Utloggad överallt", "Signed out everywhere"],
  "flow.version-create": ["Ny version av enkätflöde", "New survey-flow version"],
  "api-key.create": ["API-nyckel skapad", "API key created"],
  "api-key.revoke": ["API-nyckel återkallad", "API key revoked"],
  "number.forgotten": ["Telefonnummer glömt", "Phone number forgotten"],
  "retention.audio-purged": ["Röstmeddelanden raderade (gallring)", "Voice messages deleted (retention)"],
  "retention.calls-deleted": ["Samtal raderade (gallring)", "Calls deleted (retention)"],
  "transcript.retranscribe": ["Ny transkribering begärd", "Transcription requested again"],
  "voice-message.play": ["Röstmeddelande uppspelat", "Voice message played"],
  "voice-message.read-text": ["Skriftlig kommentar läst", "Written comment read"],
  "voice-message.listened": ["Markerat som lyssnat", "Marked as listened"],
  "voice-message.unlistened": ["Markerat som ej lyssnat", "Marked as not listened"],
  "voice-message.classify": ["Röstmeddelande klassat", "Voice message classified"],
  "voice-message.forvaltning": ["Förvaltning angiven", "Förvaltning set"],
  "voice-message.note": ["Anteckning ändrad", "Note changed"],
  "voice-message.case-reference": ["Ärendenummer angivet", "Case number set"],
  "voice-message.register": ["Registrerat som synpunkt", "Registered as a synpunkt"],
  "voice-message.unregister": ["Registrering ångrad", "Registration undone"],
  "voice-message.reviewed": ["Granskning klar", "Review done"],
  "voice-message.reopened": ["Granskning öppnad igen", "Review reopened"],
};

export function auditEventName(action: string, lang: "sv" | "en"): string {
  const n = AUDIT_EVENT_NAMES[action];
  return n ? n[lang === "en" ? 1 : 0] : action;
}
