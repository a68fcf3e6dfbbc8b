// The negative case: wrong usage that tsc must reject (tests/test_typescript.py
// pins each error), so a passing usage.ts is not a check that checks nothing.
import { useAuth } from "django-useauth";

const auth = useAuth();
const name: string = auth.data.user.name;
auth.signIn("credentials", { redirect: "no" });
useAuth({ refreshInterval: "60" });
console.log(name);
