/** Swedish texts: the app's own error pages (src/web/error-page.ts). */
export const errors = {
  badRequest: { title: "Felaktig begäran", text: "Det som skickades gick inte att läsa. Gå tillbaka och försök igen." },
  forbidden: { title: "Ingen behörighet", text: "Din roll har inte tillgång till den här sidan." },
  notFound: { title: "Sidan finns inte", text: "Kontrollera adressen." },
  serverError: {
    title: "Något gick fel",
    text: "Ett fel uppstod hos oss. Försök igen om en stund; om felet består, kontakta din administratör.",
  },
  home: "Till startsidan",
};
