// The proxy's route rules name Django as {{DJANGO_ORIGIN}}: without it every
// request to Django would fail, so the server refuses to start instead.
export default defineNitroPlugin(() => {
  if (!process.env.DJANGO_ORIGIN) {
    throw new Error(
      'Set DJANGO_ORIGIN to the address of the Django server, e.g. DJANGO_ORIGIN=http://127.0.0.1:8000',
    )
  }
})
