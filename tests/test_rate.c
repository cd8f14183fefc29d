/* test_rate.c: placeholder. */
int main(void) { return 77; }
