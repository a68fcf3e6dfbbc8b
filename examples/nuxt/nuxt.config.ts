// The nuxt-auth example against django-useauth, in one of two configurations
// chosen when building (README.md):
//
//   NUXT_AUTH_PROVIDER=authjs  nuxt-auth's authjs provider on Django's
//                              session cookie (/api/auth/, the default)
//   NUXT_AUTH_PROVIDER=local   nuxt-auth's local provider with refresh on
//                              Django's tokens (/api/token/)
//
// Each builds into .output-<provider>. Django's address is read when the
// server starts, not when building: DJANGO_ORIGIN=http://127.0.0.1:8000.
const provider = process.env.NUXT_AUTH_PROVIDER ?? 'authjs'
if (provider !== 'authjs' && provider !== 'local') {
  throw new Error(`NUXT_AUTH_PROVIDER=${provider}: must be authjs or local`)
}

// Nitro expands {{NAME}} in the runtime config (route rules included) from
// the server's environment: one build serves any Django.
const django = '{{DJANGO_ORIGIN}}'

// A proxy that hands Django's answers back as they are: Django's 302s and
// the Set-Cookie headers that come with them reach the browser.
const toDjango = (path: string) => ({
  proxy: { to: `${django}${path}/**`, fetchOptions: { redirect: 'manual' as const } },
})

const authjs = {
  // The defaults, written out: Django's useAuth() endpoints.
  baseURL: '/api/auth',
  provider: { type: 'authjs' as const, defaultProvider: '' },
  // Leave the middleware off globally but keep the object: the callbackUrl of
  // a protected page's redirect comes from `addDefaultCallbackUrl`.
  globalAppMiddleware: { isEnabled: false },
}

const local = {
  baseURL: '/api/token',
  provider: {
    type: 'local' as const,
    endpoints: {
      signIn: { path: '/login', method: 'post' as const },
      signOut: { path: '/logout', method: 'post' as const },
      signUp: false as const,
      getSession: { path: '/session', method: 'get' as const },
    },
    pages: { login: '/login' },
    token: {
      signInResponseTokenPointer: '/token',
      // The access token's lifetime (USEAUTH_TOKEN_ACCESS_LIFETIME): its
      // cookie goes when the token is no longer any use.
      maxAgeInSeconds: 15 * 60,
    },
    session: {
      dataType: {
        user: '{ name: string | null, email: string | null, image: string | null }',
        expires: 'string',
      },
      dataResponsePointer: '/',
    },
    refresh: {
      isEnabled: true,
      endpoint: { path: '/refresh', method: 'post' as const },
      // Django rotates the refresh token on every refresh.
      refreshOnlyToken: false,
      token: {
        signInResponseRefreshTokenPointer: '/refreshToken',
        refreshRequestTokenPointer: '/refreshToken',
        // The refresh token's lifetime (USEAUTH_TOKEN_REFRESH_LIFETIME).
        maxAgeInSeconds: 14 * 24 * 60 * 60,
      },
    },
  },
  globalAppMiddleware: { isEnabled: false },
}

export default defineNuxtConfig({
  compatibilityDate: '2026-01-01',
  modules: ['@sidebase/nuxt-auth'],
  devtools: { enabled: false },
  telemetry: false,
  // The pages' language, for screen readers (and the axe-core audit).
  app: { head: { title: `django-useauth + nuxt-auth (${provider})`, htmlAttrs: { lang: 'en' } } },
  css: ['~/assets/main.css'],
  auth: provider === 'authjs' ? authjs : local,
  runtimeConfig: { public: { authProvider: provider } },
  routeRules:
    provider === 'authjs'
      ? {
          '/api/auth/**': toDjango('/api/auth'),
          // Django's built-in pages load their CSS and scripts from STATIC_URL.
          '/static/**': toDjango('/static'),
        }
      : { '/api/token/**': toDjango('/api/token') },
  nitro: {
    experimental: { envExpansion: true },
    output: { dir: `.output-${provider}` },
  },
  hooks: {
    // The sign-in form is the local provider's: the authjs one signs in on
    // Django's own page.
    'pages:extend'(pages) {
      const login = pages.findIndex((page) => page.path === '/login')
      if (provider === 'authjs' && login !== -1) pages.splice(login, 1)
    },
  },
})
